// When an htmx request fails (no network, server error), nothing is swapped: the
// learner's selections stay in the form. Say so, so they can simply try again.
document.addEventListener("htmx:sendError", showSendError);
document.addEventListener("htmx:responseError", showSendError);
document.addEventListener("htmx:beforeRequest", () => {
  document.getElementById("send-error")?.classList.add("d-none");
});

function showSendError() {
  const alert = document.getElementById("send-error");
  if (alert) {
    alert.classList.remove("d-none");
    alert.setAttribute("tabindex", "-1");
    alert.focus();
  }
}
