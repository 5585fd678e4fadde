// "Back" on the error pages when the server knew no page to send the user back to: the browser's own
// history, when there is one. A static file rather than an onclick attribute: the CSP allows no inline script.
(function () {
  "use strict";
  if (window.history.length < 2) {
    return;
  }
  document.querySelectorAll("[data-history-back]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.history.back();
    });
  });
})();
