// The Pareto chart of the terminals page (templates/inventory/pareto.html, data from #pareto-data): each
// terminal's sell-out as a bar (the key ones darker), the cumulative share as a line on the right axis, and
// the 80 % mark.
(function () {
  "use strict";
  const source = document.getElementById("pareto-data");
  const canvas = document.getElementById("pareto-chart");
  if (!source || !canvas || typeof Chart === "undefined") return;
  const chart = JSON.parse(source.textContent);
  const figures = window.channelhubFigures;
  new Chart(canvas, {
    data: {
      labels: chart.labels,
      datasets: [
        {
          type: "bar",
          label: chart.amount_label,
          data: chart.amounts,
          yAxisID: "y",
          order: 2,
          backgroundColor: chart.key.map(function (key) { return key ? "rgba(13, 110, 253, 0.8)" : "rgba(108, 117, 125, 0.45)"; }),
        },
        {
          type: "line",
          label: chart.cumulative_label,
          data: chart.cumulative,
          yAxisID: "share",
          order: 1,
          borderColor: "#fd7e14",
          backgroundColor: "#fd7e14",
          tension: 0,
        },
        {
          type: "line",
          label: chart.mark_label,
          data: chart.labels.map(function () { return chart.mark; }),
          yAxisID: "share",
          order: 0,
          borderColor: "#dc3545",
          borderDash: [6, 4],
          borderWidth: 1,
          pointRadius: 0,
        },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        y: { beginAtZero: true, ticks: { callback: function (value) { return figures.tick("money", value); } } },
        share: {
          position: "right",
          min: 0,
          max: 100,
          grid: { drawOnChartArea: false },
          ticks: { callback: function (value) { return figures.tick("percent", value); } },
        },
      },
      plugins: {
        legend: { position: "bottom", labels: { boxWidth: 12 } },
        tooltip: {
          callbacks: {
            title: function (items) { return items.length ? chart.labels[items[0].dataIndex] + " " + chart.names[items[0].dataIndex] : ""; },
            label: function (context) {
              const kind = context.dataset.yAxisID === "share" ? "percent" : "money";
              return context.dataset.label + ": " + figures.format(kind, context.parsed.y);
            },
          },
        },
      },
    },
  });
})();
