// 12345 ticket page: digits 1-3 pick the n-th 派单建议 in the dispatch (or 争议裁定) form;
// Enter on the focused confirm button sends it (the button has autofocus). Without
// JavaScript the select and the button work the same way.
(function () {
  "use strict";
  document.addEventListener("keydown", function (ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    var tag = (ev.target && ev.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    if (!/^[1-3]$/.test(ev.key)) return;
    var form = document.querySelector("form[data-suggest-keys]");
    if (!form) return;
    var select = form.querySelector("select[name=department]");
    var group = select && select.querySelector("optgroup");
    var options = group ? group.querySelectorAll("option") : [];
    var n = parseInt(ev.key, 10) - 1;
    if (n < options.length) {
      select.value = options[n].value;
      form.querySelector("button[type=submit]").focus();
      ev.preventDefault();
    }
  });
})();
