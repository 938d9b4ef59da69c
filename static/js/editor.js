// The case editor. Everything here is an aid: without it the editor works by plain posts.

// Each finding row gets a search box that narrows its choices by name, then by the other
// words authors use (synonyms), and picks the best match when there is one: a name match
// beats a synonym, so "fasc" picks fasciculations, never an EMG finding.
function wireFindingSearch(root) {
  for (const input of root.querySelectorAll(".finding-search:not([data-wired])")) {
    const select = document.getElementById(input.dataset.for);
    if (!select) continue;
    input.dataset.wired = "1";
    input.closest(".finding-search-col")?.classList.remove("d-none");
    const hint = document.getElementById(input.getAttribute("aria-describedby"));
    // Enter picks from the list; it never sends the whole case.
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault();
    });
    input.addEventListener("input", () => {
      const query = input.value.trim().toLowerCase();
      let best = null;
      let bestRank = 3;
      let ties = 0;
      for (const option of select.options) {
        if (!option.value) continue;
        const name = option.textContent.toLowerCase();
        const words = (option.dataset.search || "").toLowerCase();
        let rank = 3;
        if (!query || name.startsWith(query)) rank = 0;
        else if (name.includes(query)) rank = 1;
        else if (words.includes(query)) rank = 2;
        option.hidden = rank === 3;
        if (query && rank < bestRank) {
          best = option;
          bestRank = rank;
          ties = 1;
        } else if (query && rank === bestRank && rank < 3) {
          ties += 1;
        }
      }
      // Picked only when one finding matches best; on a tie the author chooses.
      if (best && ties === 1 && select.value !== best.value) {
        select.value = best.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      if (hint) {
        if (!query) hint.textContent = "";
        else if (!best) hint.textContent = "No finding matches: try other words.";
        else if (ties > 1) hint.textContent = `${ties} findings match: choose one in the list.`;
        else hint.textContent = `Chosen: ${best.textContent}`;
      }
    });
  }
}

// A row marked for removal is dimmed at once; it goes at the next save.
function wireRemoval(root) {
  for (const box of root.querySelectorAll("input[name$='-DELETE']:not([data-wired])")) {
    box.dataset.wired = "1";
    box.addEventListener("change", () => {
      box.closest(".finding-row, .point-row, .option-row")?.classList.toggle("removing", box.checked);
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  wireFindingSearch(document);
  wireRemoval(document);
});
