/* Weekly availability as a visual grid of half-hour blocks (progressive enhancement).
 *
 * The form's text fields ("09:00-12:00, 14:00-17:30", one per weekday) stay the source of truth:
 * without JavaScript they are the form. With it, a grid is drawn above them; clicking a block or
 * dragging across blocks marks them available, and the text fields follow (and the grid follows
 * the text fields). Keyboard: arrow keys move between blocks, Space or Enter toggles one,
 * Shift+arrow extends the current choice, Home/End jump to the first/last day of the row.
 */
(function () {
  "use strict";
  var STEP = 30; // minutes per block
  var DEFAULT_FIRST = 6 * 60, DEFAULT_LAST = 22 * 60;

  function toMinutes(h, m) { return parseInt(h, 10) * 60 + parseInt(m || "0", 10); }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clock(min) { return min >= 1440 ? "24:00" : pad(Math.floor(min / 60)) + ":" + pad(min % 60); }

  function parse(text) {
    var ranges = [];
    (text || "").split(/[,;]/).forEach(function (part) {
      var m = part.trim().match(/^(\d{1,2})(?::(\d{2}))?\s*[-–]\s*(\d{1,2})(?::(\d{2}))?$/);
      if (!m) return;
      var start = toMinutes(m[1], m[2]), end = toMinutes(m[3], m[4]);
      if (end >= 1439) end = 1440; // 23:59 is how the server stores "until midnight"
      if (end > start) ranges.push([start, end]);
    });
    return ranges;
  }

  function blocksOf(text) {
    var set = {};
    parse(text).forEach(function (r) {
      for (var t = Math.floor(r[0] / STEP) * STEP; t < r[1]; t += STEP) {
        if (t >= r[0] && t + STEP <= r[1]) set[t] = true;
      }
    });
    return set;
  }

  function format(set) {
    var starts = Object.keys(set).map(Number).sort(function (a, b) { return a - b; });
    var out = [], start = null, prev = null;
    starts.forEach(function (t) {
      if (start === null) { start = t; } else if (t !== prev + STEP) { out.push([start, prev + STEP]); start = t; }
      prev = t;
    });
    if (start !== null) out.push([start, prev + STEP]);
    return out.map(function (r) { return clock(r[0]) + "-" + clock(r[1]); }).join(", ");
  }

  function init(root) {
    var inputs = Array.prototype.slice.call(root.querySelectorAll("input[data-weekday]"));
    if (!inputs.length) return;
    var days = inputs.map(function (input) {
      return { input: input, name: input.getAttribute("data-day-name"), short: input.getAttribute("data-day-short") };
    });
    var first = DEFAULT_FIRST, last = DEFAULT_LAST;
    days.forEach(function (d) {
      parse(d.input.value).forEach(function (r) {
        first = Math.min(first, Math.floor(r[0] / 60) * 60);
        last = Math.max(last, Math.ceil(r[1] / 60) * 60);
      });
    });
    var times = [];
    for (var t = first; t < last; t += STEP) times.push(t);

    var table = document.createElement("table");
    table.className = "week-grid";
    table.setAttribute("role", "grid");
    table.setAttribute("aria-label", "Weekly availability in half-hour blocks; a pressed block is available");
    var head = table.createTHead().insertRow();
    var corner = document.createElement("th");
    corner.innerHTML = '<span class="visually-hidden">Time</span>';
    head.appendChild(corner);
    days.forEach(function (d) {
      var th = document.createElement("th");
      th.scope = "col";
      th.innerHTML = '<abbr title="' + d.name + '">' + d.short + "</abbr>";
      head.appendChild(th);
    });
    var body = table.createTBody();
    var cells = []; // cells[row][col]
    times.forEach(function (time, row) {
      var tr = body.insertRow();
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = time % 60 === 0 ? clock(time) : "";
      if (time % 60 !== 0) th.innerHTML = '<span class="visually-hidden">' + clock(time) + "</span>";
      tr.appendChild(th);
      cells.push([]);
      days.forEach(function (d, col) {
        var td = document.createElement("td");
        td.setAttribute("role", "gridcell");
        var b = document.createElement("button");
        b.type = "button";
        b.className = "week-grid-block";
        b.tabIndex = row === 0 && col === 0 ? 0 : -1;
        b.setAttribute("aria-label", d.name + " " + clock(time) + " to " + clock(time + STEP));
        b.dataset.row = row;
        b.dataset.col = col;
        td.appendChild(b);
        tr.appendChild(td);
        cells[row].push(b);
      });
    });

    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");

    function state(col) { return blocksOf(days[col].input.value); }
    function render() {
      days.forEach(function (d, col) {
        var set = state(col);
        times.forEach(function (time, row) {
          var on = !!set[time];
          cells[row][col].setAttribute("aria-pressed", on ? "true" : "false");
        });
      });
    }
    function setBlock(row, col, on) {
      var set = state(col);
      if (on) set[times[row]] = true; else delete set[times[row]];
      var input = days[col].input;
      input.value = format(set);
      cells[row][col].setAttribute("aria-pressed", on ? "true" : "false");
    }
    function announce(col) {
      var value = days[col].input.value;
      status.textContent = days[col].name + ": " + (value ? value.replace(/-/g, " to ") : "not available");
    }
    function pressed(b) { return b.getAttribute("aria-pressed") === "true"; }
    function focusCell(row, col) {
      row = Math.max(0, Math.min(times.length - 1, row));
      col = Math.max(0, Math.min(days.length - 1, col));
      cells.forEach(function (r) { r.forEach(function (c) { c.tabIndex = -1; }); });
      cells[row][col].tabIndex = 0;
      cells[row][col].focus();
      return cells[row][col];
    }

    // Pointer: press and drag paints every block passed over with the first block's new state.
    var painting = null;
    table.addEventListener("pointerdown", function (e) {
      var b = e.target.closest(".week-grid-block");
      if (!b || e.button !== 0) return;
      e.preventDefault();
      painting = { value: !pressed(b), col: +b.dataset.col, row: +b.dataset.row };
      setBlock(+b.dataset.row, +b.dataset.col, painting.value);
      focusCell(+b.dataset.row, +b.dataset.col);
    });
    table.addEventListener("pointermove", function (e) {
      if (!painting) return;
      var el = document.elementFromPoint(e.clientX, e.clientY);
      var b = el && el.closest && el.closest(".week-grid-block");
      if (!b || !table.contains(b)) return;
      // A fast drag skips blocks between two pointer events: fill the line from the last one.
      var row = +b.dataset.row, col = +b.dataset.col;
      var r0 = painting.row, c0 = painting.col;
      var steps = Math.max(Math.abs(row - r0), Math.abs(col - c0));
      for (var i = 1; i <= steps; i++) {
        var r = Math.round(r0 + (row - r0) * i / steps), c = Math.round(c0 + (col - c0) * i / steps);
        if (pressed(cells[r][c]) !== painting.value) setBlock(r, c, painting.value);
      }
      painting.row = row;
      painting.col = col;
    });
    function endPaint() {
      if (!painting) return;
      announce(painting.col);
      painting = null;
    }
    document.addEventListener("pointerup", endPaint);
    document.addEventListener("pointercancel", endPaint);
    // A click without a pointer (keyboard Enter/Space, assistive technology) toggles one block.
    table.addEventListener("click", function (e) {
      var b = e.target.closest(".week-grid-block");
      if (!b || e.detail !== 0) return;
      setBlock(+b.dataset.row, +b.dataset.col, !pressed(b));
      announce(+b.dataset.col);
    });
    table.addEventListener("keydown", function (e) {
      var b = e.target.closest(".week-grid-block");
      if (!b) return;
      var row = +b.dataset.row, col = +b.dataset.col, moves = {
        ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1]
      };
      var next = null;
      if (moves[e.key]) next = focusCell(row + moves[e.key][0], col + moves[e.key][1]);
      else if (e.key === "Home") next = focusCell(row, 0);
      else if (e.key === "End") next = focusCell(row, days.length - 1);
      else return;
      e.preventDefault();
      if (e.shiftKey && next !== b) {
        setBlock(+next.dataset.row, +next.dataset.col, pressed(b));
        announce(+next.dataset.col);
      }
    });
    inputs.forEach(function (input) { input.addEventListener("input", render); });

    var help = document.createElement("p");
    help.className = "form-text";
    help.id = "week-grid-help";
    help.textContent = "Click a block, or press and drag across blocks, to mark when mentees may book you; " +
      "click again to clear. With the keyboard: arrow keys move, Space toggles, Shift+arrow extends.";
    table.setAttribute("aria-describedby", help.id);
    var wrap = document.createElement("div");
    wrap.className = "week-grid-wrap";
    wrap.appendChild(table);

    // The text fields move into a disclosure below the grid: still there, still submitted.
    var details = document.createElement("details");
    details.className = "mt-2";
    var summary = document.createElement("summary");
    summary.textContent = "Type the times instead";
    details.appendChild(summary);
    var fields = root.querySelector("[data-week-grid-fields]");
    root.insertBefore(help, fields);
    root.insertBefore(wrap, fields);
    root.insertBefore(status, fields);
    fields.parentNode.insertBefore(details, fields);
    details.appendChild(fields);
    if (root.querySelector(".is-invalid")) details.open = true;
    render();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-week-grid]"), init);
  });
})();
