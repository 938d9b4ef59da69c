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
