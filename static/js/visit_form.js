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

// Photos: each pick (a camera shot, or photos from the gallery) is added to those already chosen, with a
// preview and a button to take it out again.
(function () {
  "use strict";
  const form = document.getElementById("visit-form");
  const input = form && form.querySelector("input[type=file][name=photos]");
  const previews = form && form.querySelector("[data-photo-previews]");
  if (!input || !previews || !window.DataTransfer) return;
  let chosen = new DataTransfer();
  const same = function (a, b) { return a.name === b.name && a.size === b.size && a.lastModified === b.lastModified; };
  const show = function () {
    previews.replaceChildren();
    Array.from(chosen.files).forEach(function (file, index) {
      const figure = document.createElement("figure");
      const image = document.createElement("img");
      image.alt = file.name;
      image.src = URL.createObjectURL(file);
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn btn-sm btn-light border";
      remove.textContent = "×";
      remove.setAttribute("aria-label", previews.dataset.textRemove + " " + file.name);
      remove.addEventListener("click", function () {
        const kept = new DataTransfer();
        Array.from(chosen.files).forEach(function (other, i) { if (i !== index) kept.items.add(other); });
        chosen = kept;
        input.files = chosen.files;
        show();
      });
      figure.append(image, remove);
      previews.append(figure);
    });
  };
  input.addEventListener("change", function () {
    Array.from(input.files).forEach(function (file) {
      if (!Array.from(chosen.files).some(function (other) { return same(other, file); })) chosen.items.add(file);
    });
    input.files = chosen.files;
    show();
  });
})();

// Sending: on a bad connection the form is sent again by itself (up to four tries). The hidden client_uuid
// makes the server find the visit of an earlier try, and each photo's SHA-256 its photo: nothing twice.
(function () {
  "use strict";
  const form = document.getElementById("visit-form");
  const status = form && form.querySelector("[data-send-status]");
  if (!status || !window.fetch || !window.FormData) return;
  const delays = [0, 1500, 3000, 6000];
  let sending = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) return;
    sending = true;
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    const body = new FormData(form);
    const done = function (text, failed) {
      status.textContent = text;
      status.classList.toggle("d-none", !text);
      status.classList.toggle("alert-danger", !!failed);
    };
    const attempt = function (n) {
      fetch(form.action || window.location.href, {
        method: "POST", body: body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" }
      }).then(function (response) {
        if (response.status >= 500) throw new Error(String(response.status));
        const next = response.headers.get("X-Location");
        if (response.ok && next) {
          window.location.assign(next);
          return;
        }
        // the form has something to say (a field to correct): show the page the server answers
        form.submit();
      }).catch(function () {
        if (n + 1 < delays.length) {
          done(form.dataset.textRetrying);
          window.setTimeout(function () { attempt(n + 1); }, delays[n + 1]);
        } else {
          done(form.dataset.textFailed, true);
          sending = false;
          if (button) button.disabled = false;
        }
      });
    };
    done(form.dataset.textSending);
    attempt(0);
  });
})();
