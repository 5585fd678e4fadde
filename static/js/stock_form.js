// The stock report form (templates/inventory/report_form.html): under each line's closing, what opening +
// received − sold + adjustment comes to as the rep types — a hint only; the server checks the balance. An
// adjustment opens the line's reason and note; a page sent back with errors starts at the first one.
(function () {
  "use strict";
  const parts = { opening: 1, received: 1, sold: -1, adjustment: 1 };
  const number = function (input) {
    const text = (input ? input.value : "").replace(/,/g, "").trim();
    return text === "" ? null : Number(text);
  };
  const plain = function (value, digits) {
    return value.toLocaleString("en-US", { minimumFractionDigits: 0, maximumFractionDigits: digits });
  };
  document.querySelectorAll(".stock-line").forEach(function (line) {
    const hint = line.querySelector("[data-hint]");
    if (!hint) return;
    const field = function (part, measure) {
      return line.querySelector("input[data-part=\"" + part + "\"][data-measure=\"" + measure + "\"]");
    };
    const sum = function (measure) {
      let total = 0;
      let typed = false;
      Object.keys(parts).forEach(function (part) {
        const value = number(field(part, measure));
        if (value === null || isNaN(value)) return;
        if (part !== "opening") typed = true;
        total += parts[part] * value;
      });
      return { total: Math.round(total * 100) / 100, typed: typed };
    };
    const update = function () {
      const qty = sum("qty");
      const amount = sum("amount");
      if (!qty.typed && !amount.typed) {
        hint.hidden = true;
        return;
      }
      const symbol = document.documentElement.dataset.currencySymbol || "";
      hint.textContent = hint.dataset.label + " = " + plain(qty.total, 2) + " · " + symbol + plain(amount.total, 2);
      const closingQty = number(field("closing", "qty"));
      const closingAmount = number(field("closing", "amount"));
      const off = (closingQty !== null && closingQty !== qty.total) ||
        (closingAmount !== null && closingAmount !== amount.total);
      hint.classList.toggle("text-danger", off);
      hint.classList.toggle("text-body-secondary", !off);
      hint.hidden = false;
    };
    const adjustment = line.querySelector("details[data-adjustment]");
    line.addEventListener("input", function (event) {
      update();
      if (adjustment && event.target.dataset.part === "adjustment" && number(event.target)) adjustment.open = true;
    });
    update();
  });
  const invalid = document.querySelector(".stock-line .is-invalid");
  if (invalid) {
    const details = invalid.closest("details");
    if (details) details.open = true;
    invalid.scrollIntoView({ block: "center" });
  }
})();
