// Draws every outcomes chart from the JSON the page embeds (R23).
// A suppressed figure is null: no bar or point is drawn, and its category carries a label
// ("fewer than 11" or "hidden") so a gap never reads as zero. Every category is labelled, and a
// period still running is drawn lighter (dashed for lines) and labelled "(partial)".
(function () {
  "use strict";

  // A long category label breaks into lines of about `width` characters (a phone cuts it otherwise).
  function wrap(label, width) {
    var words = String(label).split(" "), lines = [], line = "";
    words.forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; } else { line = line ? line + " " + word : word; }
    });
    if (line) { lines.push(line); }
    return lines.length > 1 ? lines : label;
  }

  // Horizontal bars: each category gets the height its wrapped label needs (a phone wraps a long
  // label onto three or four lines), so neighbouring labels never overlap; the box only grows.
  var LINE = 15, AXES = 70; // px: one 12px label line; the legend and the value axis
  function fitHeight(box, spec, width) {
    var lines = spec.labels.map(function (label) { var w = wrap(label, width); return Array.isArray(w) ? w.length : 1; });
    var band = Math.max(LINE * Math.max.apply(null, lines.concat([1])) + 10, 14 * spec.datasets.length + 10);
    var needed = band * spec.labels.length + AXES;
    if (box.clientHeight < needed) { box.style.height = needed + "px"; }
  }

  function lighter(colour) {
    return colour + "66"; // #rrggbb + alpha
  }

  var gapLabels = {
    id: "gapLabels",
    afterDatasetsDraw: function (chart) {
      var gaps = chart.options.plugins.gapLabels.gaps || [];
      var horizontal = chart.options.indexAxis === "y";
      var index = horizontal ? chart.scales.y : chart.scales.x;
      var value = horizontal ? chart.scales.x : chart.scales.y;
      var ctx = chart.ctx;
      var drawn = [];
      ctx.save();
      ctx.fillStyle = "#495057";
      ctx.font = "italic 12px system-ui, sans-serif";
      gaps.forEach(function (text, n) {
        if (!text) { return; }
        var at = index.getPixelForValue(n);
        if (horizontal) {
          ctx.textAlign = "left";
          ctx.textBaseline = "middle";
          ctx.fillText(text, value.getPixelForValue(0) + 6, at);
        } else {
          ctx.textAlign = "center";
          ctx.textBaseline = "bottom";
          ctx.save();
          ctx.translate(at, value.getPixelForValue(0) - 4);
          if (gaps.length > 6) { ctx.rotate(-Math.PI / 2); ctx.textAlign = "left"; ctx.textBaseline = "middle"; }
          ctx.fillText(text, 0, 0);
          ctx.restore();
        }
        drawn.push({ index: n, text: text });
      });
      ctx.restore();
      chart.$gapLabels = drawn; // what the page shows in place of hidden figures (read by tests)
    }
  };

  function draw() {
    var source = document.getElementById("outcomes-charts");
    if (!source || typeof Chart === "undefined") { return; }
    var charts = JSON.parse(source.textContent);
    Object.keys(charts).forEach(function (key) {
      var canvas = document.getElementById("chart-" + key);
      if (!canvas) { return; }
      var spec = charts[key];
      var horizontal = spec.type === "hbar";
      var line = spec.type === "line";
      var partial = spec.partial || [];
      spec.datasets.forEach(function (set) {
        var base = set.backgroundColor;
        if (line) {
          set.segment = {
            borderDash: function (c) { return partial.indexOf(c.p1DataIndex) >= 0 ? [6, 4] : undefined; }
          };
          set.pointStyle = spec.labels.map(function (_, n) { return partial.indexOf(n) >= 0 ? "rectRot" : "circle"; });
        } else {
          set.backgroundColor = spec.labels.map(function (_, n) { return partial.indexOf(n) >= 0 ? lighter(base) : base; });
          set.borderWidth = spec.labels.map(function (_, n) { return partial.indexOf(n) >= 0 ? 2 : 0; });
        }
      });
      var width = canvas.parentNode.clientWidth < 500 ? 16 : 26;
      if (horizontal) { fitHeight(canvas.parentNode, spec, width); }
      var categories = {
        autoSkip: false,
        maxRotation: 60,
        minRotation: 0,
        callback: function (value) { return horizontal ? wrap(this.getLabelForValue(value), width) : this.getLabelForValue(value); }
      };
      new Chart(canvas, {
        type: line ? "line" : "bar",
        data: { labels: spec.labels, datasets: spec.datasets },
        options: {
          indexAxis: horizontal ? "y" : "x",
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          spanGaps: false,
          plugins: { legend: { display: spec.datasets.length > 1 }, gapLabels: { gaps: spec.gaps || [] } },
          scales: {
            x: { beginAtZero: true, ticks: horizontal ? {} : categories },
            y: { beginAtZero: true, ticks: horizontal ? categories : {} }
          }
        },
        plugins: [gapLabels]
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
