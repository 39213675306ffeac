// Charts drawn with the vendored Chart.js. A <canvas data-chart="bar"
// data-chart-source="ID"> reads {labels, series: [{label, data}]} from the JSON script
// element ID (Django's json_script), so no data or code sits inline in the page (CSP).
(function () {
  "use strict";
  var COLOURS = ["#b5242b", "#2b6cb5", "#2f9e44", "#f08c00", "#7048e8"];

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart-source"));
    if (!source || !window.Chart) { return; }
    var spec = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: canvas.getAttribute("data-chart"),
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (s, i) {
          return { label: s.label, data: s.data, backgroundColor: COLOURS[i % COLOURS.length] };
        })
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: spec.series.length > 1 } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();
