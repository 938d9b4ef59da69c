// Exams. The server keeps the time and every answer; this shows the countdown, says it
// aloud at five minutes and one minute, and makes sure no save is lost on the way: a save
// that could not reach the server is sent again until it is, the page's own buttons wait
// for saves in flight, and leaving with a save pending asks first. Without it, the page
// still works by plain posts.

let inFlight = 0;
const idleWaiters = [];

function whenIdle(maxMs) {
  if (inFlight === 0) return Promise.resolve();
  return new Promise((resolve) => {
    idleWaiters.push(resolve);
    setTimeout(resolve, maxMs);
  });
}

document.addEventListener("htmx:beforeRequest", (event) => {
  if (event.detail.elt.id === "exam-form") inFlight += 1;
});
document.addEventListener("htmx:afterRequest", (event) => {
  if (event.detail.elt.id !== "exam-form") return;
  inFlight = Math.max(0, inFlight - 1);
  if (inFlight === 0) idleWaiters.splice(0).forEach((resolve) => resolve());
});

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
      // The server decides what happens at the end; saves already sent finish first.
      const end = element.dataset.countdownEnd;
      whenIdle(10000).then(() => {
        if (end) window.location.assign(end);
        else if (element.hasAttribute("data-countdown-reload")) window.location.reload();
      });
    }
  };
  const timer = setInterval(tick, 1000);
  tick();
}

document.addEventListener("DOMContentLoaded", () => {
  for (const element of document.querySelectorAll("[data-countdown]")) startCountdown(element);
  const form = document.getElementById("exam-form");
  if (!form) return;
  // Commit, flag and the case buttons post the page: after any save still on its way, so
  // the page's revision is the latest.
  form.addEventListener("submit", (event) => {
    if (inFlight === 0 || form.dataset.waited) return;
    event.preventDefault();
    const submitter = event.submitter;
    whenIdle(10000).then(() => {
      form.dataset.waited = "1";
      form.requestSubmit(submitter);
    });
  });
  window.addEventListener("beforeunload", (event) => {
    if (inFlight > 0) event.preventDefault();
  });
});

function retrying(form, words) {
  const note = form.querySelector("[data-save-retrying]");
  if (note) {
    note.textContent = words;
    note.classList.remove("d-none");
  }
}

// A save that could not reach the server (no connection, a timeout, a server error) is
// sent again every few seconds until it is.
let retryTimer = null;
function retryLater(event) {
  const form = event.detail.elt;
  if (form?.id !== "exam-form") return;
  retrying(form, "Not saved yet: the server could not be reached. Retrying…");
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => htmx.trigger(form, "change"), 3000);
}
document.addEventListener("htmx:sendError", retryLater);
document.addEventListener("htmx:timeout", retryLater);
document.addEventListener("htmx:responseError", (event) => {
  const form = event.detail.elt;
  if (form?.id !== "exam-form") return;
  const status = event.detail.xhr.status;
  if (status === 403) {
    retrying(form, "Not saved: your session has changed. Reload the page (your saved answers stay) and log in again if asked.");
  } else if (status >= 500) {
    retryLater(event);
  }
});
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target?.id === "save-status" || event.detail.elt?.id === "save-status") {
    const note = document.querySelector("[data-save-retrying]");
    if (note && event.detail.xhr.status < 400) note.classList.add("d-none");
  }
});
// A refused save (a stale page, a choice not offered) shows the server's words.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.target?.id === "save-status" && [409, 422].includes(event.detail.xhr.status)) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
