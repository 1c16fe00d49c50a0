// Draws every outcomes chart from the JSON the page embeds. Suppressed figures are null (gaps).
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("outcomes-charts");
    if (!source || typeof Chart === "undefined") { return; }
    var charts = JSON.parse(source.textContent);
    Object.keys(charts).forEach(function (key) {
      var canvas = document.getElementById("chart-" + key);
      if (!canvas) { return; }
      var spec = charts[key];
      var horizontal = spec.type === "hbar";
      new Chart(canvas, {
        type: spec.type === "line" ? "line" : "bar",
        data: { labels: spec.labels, datasets: spec.datasets },
        options: {
          indexAxis: horizontal ? "y" : "x",
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          spanGaps: false,
          plugins: { legend: { display: spec.datasets.length > 1 } },
          scales: { x: { beginAtZero: true }, y: { beginAtZero: true } }
        }
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
