/* At phone width the search's filters fold behind one button above the results.
 *
 * Progressive: the server sends the filters open and the button hidden, so without JavaScript
 * everything is there. This script folds them (Bootstrap's collapse, below the lg breakpoint
 * only) and keeps the panel open across the live updates, where htmx replaces the whole search
 * app and would otherwise fold it after every tick.
 */
(function () {
  "use strict";
  var open = false;

  function enhance() {
    var panel = document.getElementById("search-filters");
    var toggle = document.querySelector("[data-filters-toggle]");
    if (!panel || !toggle || panel.classList.contains("collapse")) return;
    panel.classList.add("collapse", "d-lg-block");
    toggle.classList.remove("d-none");
    toggle.classList.add("d-lg-none");
    if (open) {
      panel.classList.add("show");
      toggle.setAttribute("aria-expanded", "true");
    }
  }

  document.addEventListener("DOMContentLoaded", enhance);
  document.addEventListener("htmx:beforeSwap", function () {
    var panel = document.getElementById("search-filters");
    // "collapsing": the panel is still sliding open when the first filter is ticked
    open = !!(panel && (panel.classList.contains("show") || panel.classList.contains("collapsing")));
  });
  // htmx:load fires on the new content (the old element an outerHTML swap replaces is detached,
  // so its own events never reach the document).
  document.addEventListener("htmx:load", enhance);
  document.addEventListener("htmx:afterSettle", enhance);
})();
