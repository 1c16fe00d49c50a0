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
    open = !!(panel && panel.classList.contains("show"));
  });
  document.addEventListener("htmx:afterSwap", enhance);
})();
