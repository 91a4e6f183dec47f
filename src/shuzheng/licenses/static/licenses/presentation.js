/* 亮证: the countdown of the code's validity ticks, and an expired code is replaced.
   Progressive enhancement: without JavaScript the page states the expiry time in words and
   offers the "重新生成亮证码" button. The count starts from the server's remaining seconds and
   runs on the browser's monotonic clock, so a phone whose clock is wrong still counts right. */
(function () {
  "use strict";
  var live = document.querySelector("[data-countdown]");
  if (!live) return;
  var out = live.querySelector("[data-countdown-text]");
  var expiredNote = document.querySelector("[data-countdown-expired]");
  var refresh = document.querySelector("[data-refresh-form]");
  var template = live.getAttribute("data-left-text") || "{m}:{s}";
  var remaining = parseInt(live.getAttribute("data-remaining"), 10) || 0;
  var now = function () { return window.performance ? performance.now() : Date.now(); };
  var end = now() + remaining * 1000;
  var AUTO_KEY = "sz-present-auto";
  var AUTO_MAX = 3; // codes replaced without a touch, then the holder presses the button
  var timer = null;

  function left() { return Math.max(0, Math.ceil((end - now()) / 1000)); }

  function show(seconds) {
    var s = seconds % 60;
    out.textContent = template
      .replace("{m}", String(Math.floor(seconds / 60)))
      .replace("{s}", (s < 10 ? "0" : "") + s);
  }

  function autoCount() {
    try { return parseInt(sessionStorage.getItem(AUTO_KEY), 10) || 0; } catch (e) { return AUTO_MAX; }
  }

  function renew() {
    if (!refresh || document.visibilityState === "hidden" || autoCount() >= AUTO_MAX) return;
    try { sessionStorage.setItem(AUTO_KEY, String(autoCount() + 1)); } catch (e) { return; }
    refresh.submit();
  }

  function expire() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    live.hidden = true; // an expired code must not be scanned
    if (expiredNote) expiredNote.hidden = false;
    renew();
    document.addEventListener("visibilitychange", renew);
  }

  function tick() {
    var seconds = left();
    show(seconds);
    if (seconds === 0) expire();
  }

  // the holder's own press starts a fresh run of automatic renewals
  if (refresh) {
    refresh.addEventListener("submit", function (e) {
      if (e.isTrusted) { try { sessionStorage.removeItem(AUTO_KEY); } catch (err) { /* none */ } }
    });
  }
  document.addEventListener("pointerdown", function () {
    try { sessionStorage.removeItem(AUTO_KEY); } catch (e) { /* none */ }
  }, { once: true });

  out.hidden = false;
  tick();
  if (left() > 0) timer = setInterval(tick, 1000);
})();
