// When an htmx request fails, nothing is swapped: the learner's selections stay in the
// form. Say what happened and what to do.
document.addEventListener("htmx:sendError", () => show("send-error"));
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  // 403 is a stale CSRF token or session; 404 an attempt that is no longer there.
  show(status === 403 || status === 404 ? "session-error" : "send-error");
});
document.addEventListener("htmx:beforeRequest", () => {
  for (const id of ["send-error", "session-error"]) {
    document.getElementById(id)?.classList.add("d-none");
  }
});

function show(id) {
  const alert = document.getElementById(id);
  if (alert) {
    alert.classList.remove("d-none");
    alert.setAttribute("tabindex", "-1");
    alert.focus();
  }
}

// Selections on an unanswered case are kept in this browser until the case is answered, so a
// reload, a dropped connection or logging in again after the session ran out does not lose
// them. The server records nothing of a stage until it is sent; these are only the choices.
// A draft is dropped once its case shows results, at log-out, or after a week unused.
const DRAFT_PREFIX = "neurolocalize:draft:";
const DRAFT_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

// One draft per case and stage: a stage-1 draft never fills the stage-2 form.
function draftKey(form) {
  return `${DRAFT_PREFIX}${form.getAttribute("action")}#${form.dataset.draft}`;
}

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // Storage disabled: the form still works, without drafts.
  }
}

function readDraft(store, key) {
  try {
    const draft = JSON.parse(store.getItem(key) || "null");
    return draft && typeof draft.chosen === "object" ? draft : null;
  } catch {
    return null;
  }
}

// Matches of `selector` in `root`, `root` itself included (htmx may swap in the element).
function within(root, selector) {
  const found = [...root.querySelectorAll(selector)];
  return root.matches?.(selector) ? [root, ...found] : found;
}

function restoreDrafts(root) {
  const store = storage();
  if (!store) return;
  for (const form of within(root, "form[data-draft]")) {
    const draft = readDraft(store, draftKey(form));
    if (!draft) continue;
    for (const [name, value] of Object.entries(draft.chosen)) {
      const group = [...form.querySelectorAll("input[type=radio]")].filter((i) => i.name === name);
      // What the page already shows (the server's echo after a refused post) wins; a
      // default the server chose (the committed localization) gives way to the draft.
      if (group.some((input) => input.checked && !input.hasAttribute("data-default"))) continue;
      const input = group.find((i) => i.value === value);
      if (input) input.checked = true;
    }
  }
  for (const answered of within(root, "[data-answered-case]")) {
    const prefix = `${DRAFT_PREFIX}${answered.dataset.answeredCase}#`;
    for (const key of Object.keys(store)) {
      if (key.startsWith(prefix)) store.removeItem(key);
    }
  }
}

function pruneDrafts(store, keep) {
  for (const key of Object.keys(store)) {
    if (!key.startsWith(DRAFT_PREFIX)) continue;
    const draft = readDraft(store, key);
    if (!keep(draft)) store.removeItem(key);
  }
}

document.addEventListener("change", (event) => {
  const form = event.target.closest?.("form[data-draft]");
  const store = storage();
  if (!form || !store) return;
  const chosen = {};
  for (const input of form.querySelectorAll("input[type=radio]:checked")) {
    chosen[input.name] = input.value;
  }
  try {
    store.setItem(
      draftKey(form),
      JSON.stringify({ savedAt: Date.now(), chosen }),
    );
  } catch {
    // Storage full or refused: the choices stay on the page, only not across a reload.
  }
});

// Logging out on a shared computer leaves no one's choices behind.
document.addEventListener("submit", (event) => {
  const store = storage();
  if (store && event.target.matches("[data-clear-drafts]")) pruneDrafts(store, () => false);
});

document.addEventListener("DOMContentLoaded", () => {
  const store = storage();
  if (store) {
    pruneDrafts(store, (draft) => draft && Date.now() - draft.savedAt < DRAFT_MAX_AGE_MS);
  }
  restoreDrafts(document);
});
document.addEventListener("htmx:load", (event) => restoreDrafts(event.detail.elt));
