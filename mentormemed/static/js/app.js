// Small behaviours every page shares, kept out of the HTML so the Content-Security-Policy
// needs no inline script. A select marked data-autosubmit submits its form when changed.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
    target.form.requestSubmit();
  }
});
