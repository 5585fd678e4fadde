// Net sales against sales target per rep, on the measures page (data from #measures-data).
(function () {
  "use strict";
  const source = document.getElementById("measures-data");
  const canvas = document.getElementById("measures-chart");
  if (!source || !canvas || typeof Chart === "undefined") return;
  const names = document.getElementById("measures-labels").dataset;
  const chart = JSON.parse(source.textContent);
  const numbers = function (values) {
    return values.map(function (value) { return value === null ? null : Number(value); });
  };
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: chart.labels,
      datasets: [
        { label: names.sales, data: numbers(chart.net_sales), backgroundColor: "rgba(13, 110, 253, 0.7)" },
        { label: names.target, data: numbers(chart.sales_target), backgroundColor: "rgba(108, 117, 125, 0.35)" },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        y: { beginAtZero: true, ticks: { callback: function (value) { return window.channelhubFigures.tick("money", value); } } },
      },
      plugins: {
        legend: { position: "bottom", labels: { boxWidth: 12 } },
        tooltip: {
          callbacks: {
            label: function (context) {
              return context.dataset.label + ": " + window.channelhubFigures.format("money", context.parsed.y);
            },
          },
        },
      },
    },
  });
})();
