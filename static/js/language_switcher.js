// The language switcher in the top bar: choosing a language submits its form at once (without JS,
// the <noscript> button does). Here rather than an onchange attribute: the CSP allows no inline script.
(function () {
  "use strict";
  document.querySelectorAll("form.language-switcher select[name=language]").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  });
})();
