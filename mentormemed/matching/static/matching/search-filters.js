/* Keep the phone-width filter panel open across the search's live updates (htmx replaces the
 * whole search app on every change, which would fold the panel after each tick). */
(function () {
  "use strict";
  var open = false;
  document.addEventListener("htmx:beforeSwap", function () {
    var panel = document.getElementById("search-filters");
    open = !!(panel && panel.classList.contains("show"));
  });
  document.addEventListener("htmx:afterSettle", function () {
    var panel = document.getElementById("search-filters");
    if (!panel || !open) return;
    panel.classList.add("show");
    var toggle = document.querySelector('[data-bs-target="#search-filters"]');
    if (toggle) toggle.setAttribute("aria-expanded", "true");
  });
})();
