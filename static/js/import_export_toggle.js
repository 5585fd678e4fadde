// The admin export's "select all" box (django-import-export), bound here instead of an inline onchange
// handler, which the Content-Security-Policy refuses.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input.select-toggle").forEach(function (box) {
    box.addEventListener("change", function (event) {
      if (typeof onSelectToggleChange === "function") {
        onSelectToggleChange(event);
      }
    });
  });
});
