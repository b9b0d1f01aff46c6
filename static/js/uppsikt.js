// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // Confirm destructive actions: <button data-confirm="Är du säker?">
  document.body.addEventListener("click", (event) => {
    const target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.dataset.confirm)) {
      event.preventDefault();
    }
  });
});
// htmx: move focus to the first error of a swapped-in form so keyboard users find it.
document.addEventListener("htmx:afterSwap", (event) => {
  const error = event.detail.target.querySelector(".errorlist, [aria-invalid=true]");
  if (error) {
    const field = error.closest(".field")?.querySelector("input, select, textarea") || error;
    field.focus?.();
  }
});
