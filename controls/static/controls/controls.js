// Internal control: show the deviation part of the result form only for an avvikelse.
// Without JavaScript the part is always shown, with a note that it is for deviations.
(() => {
  const DEVIATIONS = new Set(["minor", "major"]);

  function sync(form) {
    const chosen = form.querySelector('input[name="outcome"]:checked');
    const show = chosen ? DEVIATIONS.has(chosen.value) : false;
    form.querySelectorAll("[data-deviation-only]").forEach((part) => {
      part.hidden = !show;
    });
  }

  function wire(root) {
    root.querySelectorAll("form[data-result-form]").forEach((form) => {
      if (form.dataset.wired) return;
      form.dataset.wired = "1";
      form.addEventListener("change", (event) => {
        if (event.target.name === "outcome") sync(form);
      });
      sync(form);
    });
  }

  document.addEventListener("DOMContentLoaded", () => wire(document));
  document.addEventListener("htmx:afterSettle", () => wire(document));
})();
