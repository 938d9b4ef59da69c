// The quiz builder: a case in a set's list can be dragged to a new place. The Up and Down
// buttons make the same move by keyboard, and without JavaScript; a drop sends the move,
// however many places, through the hidden #drag-move form, which htmx posts like a button.
(() => {
  let dragged = null;

  const rowOf = (node) => node?.closest?.("[data-drag-list] > li[data-case]") ?? null;

  function enable(root) {
    const lists = [...root.querySelectorAll("[data-drag-list]")];
    if (root.matches?.("[data-drag-list]")) lists.push(root);
    for (const list of lists) {
      for (const row of list.querySelectorAll(":scope > li[data-case]")) {
        row.draggable = true;
        row.style.cursor = "grab"; // the CSSOM, which the CSP allows; not a style attribute
      }
    }
  }

  document.addEventListener("dragstart", (event) => {
    dragged = rowOf(event.target);
    if (!dragged) return;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.case);
    dragged.classList.add("opacity-50");
  });

  document.addEventListener("dragover", (event) => {
    const row = rowOf(event.target);
    if (dragged && row && row.parentElement === dragged.parentElement) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
    }
  });

  document.addEventListener("drop", (event) => {
    const target = rowOf(event.target);
    if (!dragged || !target || target.parentElement !== dragged.parentElement) return;
    event.preventDefault();
    const rows = [...dragged.parentElement.children];
    const offset = rows.indexOf(target) - rows.indexOf(dragged);
    const form = document.getElementById("drag-move");
    if (offset !== 0 && form) {
      form.elements.case.value = dragged.dataset.case;
      form.elements.offset.value = String(offset);
      form.requestSubmit();
    }
  });

  document.addEventListener("dragend", () => {
    dragged?.classList.remove("opacity-50");
    dragged = null;
  });

  document.addEventListener("DOMContentLoaded", () => enable(document));
  document.addEventListener("htmx:load", (event) => enable(event.detail.elt));
})();
