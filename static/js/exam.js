// Exams. The server keeps the time and every answer; this only shows the countdown, says
// it aloud at five minutes and one minute, and retries a save that could not reach the
// server. Without it, the page still works by plain posts.

function formatSeconds(total) {
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n) => String(n).padStart(2, "0");
  return hours ? `${hours}:${two(minutes)}:${two(seconds)}` : `${minutes}:${two(seconds)}`;
}

// Counted from the seconds the server gave, by the browser's monotonic clock: a wrong
// clock on the learner's machine changes nothing.
function startCountdown(element) {
  const start = performance.now();
  const total = Number(element.dataset.countdown);
  const text = element.querySelector("[data-countdown-text]");
  const announce = document.querySelector("[data-countdown-announce]");
  const said = new Set();
  const tick = () => {
    const left = Math.max(0, total - Math.floor((performance.now() - start) / 1000));
    if (text) text.textContent = formatSeconds(left);
    for (const [mark, words] of [
      [300, "Five minutes left."],
      [60, "One minute left."],
    ]) {
      if (left <= mark && total > mark && !said.has(mark) && announce) {
        said.add(mark);
        announce.textContent = words;
      }
    }
    if (left === 0) {
      clearInterval(timer);
      // The server decides what happens at the end: reload to hear it.
      const end = element.dataset.countdownEnd;
      if (end) window.location.assign(end);
      else if (element.hasAttribute("data-countdown-reload")) window.location.reload();
    }
  };
  const timer = setInterval(tick, 1000);
  tick();
}

document.addEventListener("DOMContentLoaded", () => {
  for (const element of document.querySelectorAll("[data-countdown]")) startCountdown(element);
});

// A save that could not reach the server is sent again, every few seconds, until it is.
let retryTimer = null;
document.addEventListener("htmx:sendError", (event) => {
  const form = event.detail.elt.closest ? event.detail.elt.closest("#exam-form") : null;
  if (!form) return;
  form.querySelector("[data-save-retrying]")?.classList.remove("d-none");
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => htmx.trigger(form, "change"), 3000);
});
// A refused save (a stale page, a choice not offered) shows the server's words.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.target?.id === "save-status" && [409, 422].includes(event.detail.xhr.status)) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
