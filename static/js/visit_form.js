// The new-visit form on a phone: filter the dealer list as you type, and fill the position from the
// phone's location (with its accuracy), into the hidden latitude/longitude/accuracy_m fields.
(function () {
  "use strict";
  const form = document.getElementById("visit-form");
  if (!form) return;

  const search = form.querySelector("[data-dealer-search]");
  const select = form.querySelector("select[name=dealer]");
  if (search && select) {
    const options = Array.from(select.options).map(function (option) {
      return { option: option, text: (option.text + " " + (option.dataset.search || "")).toLowerCase() };
    });
    search.addEventListener("input", function () {
      const needle = search.value.trim().toLowerCase();
      let firstMatch = null;
      options.forEach(function (entry) {
        const match = !entry.option.value || !needle || entry.text.indexOf(needle) !== -1;
        entry.option.hidden = !match;
        entry.option.disabled = !match;
        if (match && entry.option.value && !firstMatch) firstMatch = entry.option;
      });
      const current = select.selectedOptions[0];
      if (needle && firstMatch && (!current || !current.value || current.hidden)) select.value = firstMatch.value;
    });
  }

  const button = form.querySelector("[data-locate]");
  const status = form.querySelector("[data-position-status]");
  if (!button || !status) return;
  const field = function (name) { return form.querySelector("input[name=" + name + "]"); };
  button.addEventListener("click", function () {
    if (!("geolocation" in navigator)) {
      status.textContent = status.dataset.textUnsupported;
      return;
    }
    status.textContent = status.dataset.textLocating;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        const c = position.coords;
        field("latitude").value = c.latitude.toFixed(6);
        field("longitude").value = c.longitude.toFixed(6);
        field("accuracy_m").value = Math.max(0, c.accuracy).toFixed(1);
        status.textContent = status.dataset.textFound.replace("{accuracy}", Math.round(c.accuracy)) +
          " (" + c.latitude.toFixed(5) + ", " + c.longitude.toFixed(5) + ")";
        status.classList.add("text-success");
      },
      function () {
        status.textContent = status.dataset.textDenied;
        status.classList.add("text-danger");
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });
})();
