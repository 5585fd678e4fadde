// A commission run's page: poll the run's API detail every second and move the progress bar, the
// counts and the status badge until the run is done or failed. Without JS the page shows the figures
// as they were and a refresh link.
(function () {
  "use strict";
  const card = document.querySelector("[data-run-url]");
  if (!card || card.dataset.finished === "true" || !window.fetch) return;
  const FINISHED = ["done", "failed"];
  const BADGE = { queued: "secondary", running: "primary", done: "success", failed: "danger" };
  const field = function (name) { return card.querySelector('[data-run-field="' + name + '"]'); };
  const moment = function (value) { return value ? value.replace("T", " ").slice(0, 19) : "—"; };

  function show(run) {
    const bar = field("bar");
    if (bar) {
      bar.setAttribute("aria-valuenow", String(run.progress));
      const inner = bar.querySelector(".progress-bar");
      inner.style.width = run.progress + "%";
      inner.textContent = run.progress + " %";
      inner.classList.toggle("progress-bar-striped", run.status === "running");
      inner.classList.toggle("progress-bar-animated", run.status === "running");
      inner.classList.toggle("bg-success", run.status === "done");
      inner.classList.toggle("bg-danger", run.status === "failed");
    }
    const badge = field("status");
    if (badge) {
      badge.className = "badge text-bg-" + (BADGE[run.status] || "secondary");
      badge.dataset.status = run.status;
      badge.textContent = run.status_display;
    }
    ["done", "total", "skipped"].forEach(function (name) {
      const element = field(name);
      if (element) element.textContent = String(run[name]);
    });
    ["started_at", "finished_at"].forEach(function (name) {
      const element = field(name);
      if (element) element.textContent = moment(run[name]);
    });
    const error = field("error");
    if (error) {
      error.textContent = run.error || "";
      error.classList.toggle("d-none", !run.error);
    }
  }

  function finish() {
    card.dataset.finished = "true";
    const refresh = card.querySelector('[data-testid="refresh"]');
    if (refresh) refresh.classList.add("d-none");
  }

  function poll() {
    fetch(card.dataset.runUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if ([401, 403, 404].indexOf(response.status) >= 0) throw new Error("gone");
        return response.ok ? response.json() : null;
      })
      .then(function (run) {
        if (run) show(run);
        if (run && FINISHED.indexOf(run.status) >= 0) finish();
        else window.setTimeout(poll, 1000);
      })
      .catch(function (error) {
        // A network hiccup: try again; a run out of reach (logged out, 403/404): stop.
        if (error.message !== "gone") window.setTimeout(poll, 1000);
      });
  }

  window.setTimeout(poll, 1000);
})();
