// Small behaviours every page shares, kept out of the HTML so the Content-Security-Policy
// needs no inline script. A select marked data-autosubmit submits its form when changed.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
    target.form.requestSubmit();
  }
});

// A table wider than the screen scrolls inside its wrapper: keyboard users must be able to reach and
// scroll it too (WCAG 2.1.1), so a wrapper that overflows becomes a focusable, named region.
function markScrollRegions(root) {
  for (const wrapper of root.querySelectorAll(".table-responsive")) {
    const overflows = wrapper.scrollWidth > wrapper.clientWidth + 1;
    if (overflows && !wrapper.hasAttribute("tabindex")) {
      wrapper.setAttribute("tabindex", "0");
      wrapper.dataset.scrollRegion = "";
      if (!wrapper.hasAttribute("role")) wrapper.setAttribute("role", "region");
      if (!wrapper.hasAttribute("aria-label") && !wrapper.hasAttribute("aria-labelledby")) {
        const caption = wrapper.querySelector("caption");
        const heading = wrapper.closest("section, .card, main")?.querySelector("h1, h2, h3, h4");
        const name = (caption || heading)?.textContent.trim();
        if (name) wrapper.setAttribute("aria-label", name);
      }
    } else if (!overflows && wrapper.hasAttribute("data-scroll-region")) {
      wrapper.removeAttribute("tabindex");
      wrapper.removeAttribute("data-scroll-region");
    }
  }
}
document.addEventListener("DOMContentLoaded", () => markScrollRegions(document));
window.addEventListener("resize", () => markScrollRegions(document));
document.addEventListener("htmx:afterSettle", (event) => markScrollRegions(event.target));
