// Access review: "select all on this page" for the bulk decision. The page works without it.
document.addEventListener("DOMContentLoaded", () => {
  const all = document.getElementById("select-all");
  if (!all) return;
  const boxes = () => document.querySelectorAll("input.item-select");
  all.addEventListener("change", () => {
    boxes().forEach((box) => { box.checked = all.checked; });
  });
  document.body.addEventListener("change", (event) => {
    if (event.target.classList && event.target.classList.contains("item-select")) {
      const list = Array.from(boxes());
      all.checked = list.length > 0 && list.every((box) => box.checked);
    }
  });
});
