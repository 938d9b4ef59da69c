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
// them. The server records nothing until "Check my answers"; these are only the choices made.
const DRAFT_PREFIX = "neurolocalize:draft:";

function draftKey(url) {
  return DRAFT_PREFIX + url;
}

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // Storage disabled: the form still works, without drafts.
  }
}

function restoreDrafts(root) {
  const store = storage();
  if (!store) return;
  for (const form of root.querySelectorAll("form[data-draft]")) {
    let saved = null;
    try {
      saved = JSON.parse(store.getItem(draftKey(form.getAttribute("action"))) || "null");
    } catch {
      saved = null;
    }
    if (!saved) continue;
    for (const [name, value] of Object.entries(saved)) {
      const group = [...form.querySelectorAll("input[type=radio]")].filter((i) => i.name === name);
      // What the page already shows (the server's echo after a refused post) wins.
      if (group.some((input) => input.checked)) continue;
      const input = group.find((i) => i.value === value);
      if (input) input.checked = true;
    }
  }
  // A case shown with its results is answered: its draft has done its job.
  for (const answered of root.querySelectorAll("[data-answered-case]")) {
    store.removeItem(draftKey(answered.dataset.answeredCase));
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
  store.setItem(draftKey(form.getAttribute("action")), JSON.stringify(chosen));
});

// Logging out on a shared computer leaves no one's choices behind.
document.addEventListener("submit", (event) => {
  const store = storage();
  if (!store || !event.target.matches("[data-clear-drafts]")) return;
  for (const key of Object.keys(store)) {
    if (key.startsWith(DRAFT_PREFIX)) store.removeItem(key);
  }
});

document.addEventListener("DOMContentLoaded", () => restoreDrafts(document));
document.addEventListener("htmx:load", (event) => restoreDrafts(event.detail.elt));
