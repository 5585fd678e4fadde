// The complaints' 4-hour clock (templates/inspections/_clock.html): the server renders the figures; a running
// clock (data-deadline) counts down here every 30 seconds (its words from the page: data-left-format, data-overdue-format), and says "overdue" once the deadline has passed.
(function () {
  "use strict";
  function words(clock, seconds) {
    const minutes = Math.floor(Math.abs(seconds) / 60);
    const hours = Math.floor(minutes / 60);
    const rest = minutes % 60;
    const time = hours ? hours + " h " + String(rest).padStart(2, "0") + " min" : rest + " min";
    const format = seconds >= 0 ? clock.dataset.leftFormat : clock.dataset.overdueFormat;
    return (format || "%(time)s").replace("%(time)s", time);
  }
  function tick() {
    document.querySelectorAll("[data-testid=clock][data-deadline]").forEach(function (clock) {
      const deadline = Date.parse(clock.dataset.deadline);
      if (isNaN(deadline)) return;
      const left = Math.trunc((deadline - Date.now()) / 1000);
      const text = clock.querySelector("[data-clock-text]");
      if (text) text.textContent = words(clock, left);
      clock.dataset.secondsLeft = String(left);
      if (left < 0) clock.classList.add("text-danger", "fw-semibold");
    });
  }
  window.setInterval(tick, 30000);
})();
