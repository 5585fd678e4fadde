// Figures as the pages write them (channelhub.formatting): money with the currency's symbol and thousands
// separators, rates with " %". The symbol comes from <html data-currency-symbol="¥">.
(function () {
  "use strict";
  const symbol = document.documentElement.dataset.currencySymbol || "";
  const grouped = function (value, digits) {
    return Math.abs(value).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  };
  const format = function (kind, value) {
    if (value === null || value === undefined || isNaN(value)) return "—";
    const number = Number(value);
    if (kind === "money") return (number < 0 ? "-" : "") + symbol + grouped(number, 2);
    if (kind === "percent") return (number < 0 ? "-" : "") + grouped(number, 2) + " %";
    return (number < 0 ? "-" : "") + grouped(number, 0);
  };
  const tick = function (kind, value) {
    const number = Number(value);
    if (kind === "money") return (number < 0 ? "-" : "") + symbol + grouped(number, 0);
    if (kind === "percent") return grouped(number, 0) + " %";
    return grouped(number, 0);
  };
  window.channelhubFigures = { format: format, tick: tick };
})();
