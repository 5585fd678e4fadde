// Draws every chart described by a json_script whose id ends in "-chart-data" (see kpi/dashboard.py):
// {"id": canvas id, "type": "bar"|"line", "labels": [...], "datasets": [{"label", "data"}], "y_label",
//  "kind": "money"|"percent"|"count"}: the axis and the tooltips read as the pages do (figures.js).
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  const palette = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#d63384", "#20c997", "#6c757d", "#dc3545"];
  document.querySelectorAll("script[id$=\"-chart-data\"]").forEach(function (source) {
    const chart = JSON.parse(source.textContent);
    const canvas = document.getElementById(chart.id);
    if (!canvas) return;
    new Chart(canvas, {
      type: chart.type,
      data: {
        labels: chart.labels,
        datasets: chart.datasets.map(function (dataset, index) {
          const colour = palette[index % palette.length];
          return Object.assign({ borderColor: colour, backgroundColor: colour + "99", spanGaps: true }, dataset);
        }),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          y: {
            beginAtZero: true,
            title: { display: !!chart.y_label, text: chart.y_label },
            ticks: { callback: function (value) { return window.channelhubFigures.tick(chart.kind, value); } },
          },
        },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          tooltip: {
            callbacks: {
              label: function (context) {
                return context.dataset.label + ": " + window.channelhubFigures.format(chart.kind, context.parsed.y);
              },
            },
          },
        },
      },
    });
  });
})();
