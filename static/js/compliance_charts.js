// Weekly visits and distinct dealers per rep against the weekly minimum (data from #compliance-data).
(function () {
  "use strict";
  const source = document.getElementById("compliance-data");
  if (!source || typeof Chart === "undefined") return;
  const names = document.getElementById("compliance-labels").dataset;
  JSON.parse(source.textContent).forEach(function (chart) {
    const canvas = document.getElementById(chart.id);
    if (!canvas) return;
    new Chart(canvas, {
      data: {
        labels: chart.labels,
        datasets: [
          { type: "bar", label: names.visits, data: chart.visits, backgroundColor: "rgba(13, 110, 253, 0.35)" },
          { type: "bar", label: names.distinct, data: chart.distinct, backgroundColor: "rgba(25, 135, 84, 0.7)" },
          {
            type: "line",
            label: names.minimum,
            data: chart.labels.map(function () { return chart.weekly_min; }),
            borderColor: "rgb(220, 53, 69)",
            borderDash: [6, 4],
            pointRadius: 0,
          },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
      },
    });
  });
})();
