// 巡查上报 on a phone: progressive enhancement of a form that works without scripts.
// - "使用手机当前位置" fills 纬度/经度 from navigator.geolocation;
// - without a signal a submission is kept in localStorage (photos as data URLs) and sent by
//   fetch when the browser is online again (on the "online" event and on the next visit).
(function () {
  "use strict";
  var form = document.getElementById("patrol-form");
  if (!form) return;
  var KEY = "shuzheng.city.patrol.queue";
  var locate = document.getElementById("p-locate");
  var locStatus = document.getElementById("p-locate-status");
  var box = document.getElementById("patrol-queue");
  var text = box.querySelector("[data-queue-text]");
  var list = box.querySelector("[data-queue-list]");

  if (locate && "geolocation" in navigator) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      locStatus.textContent = locate.dataset.locating;
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          document.getElementById("p-lat").value = pos.coords.latitude.toFixed(6);
          document.getElementById("p-lng").value = pos.coords.longitude.toFixed(6);
          locStatus.textContent = locate.dataset.located;
        },
        function () { locStatus.textContent = locate.dataset.denied; },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(items) {
    try { localStorage.setItem(KEY, JSON.stringify(items)); return true; } catch (e) { return false; }
  }
  function show(message) {
    var items = load();
    box.hidden = items.length === 0 && !message;
    text.textContent = message || "";
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = item.at + " " + (item.fields.description || "").slice(0, 30);
      list.appendChild(li);
    });
  }
  function readFile(file) {
    return new Promise(function (resolve, reject) {
      var r = new FileReader();
      r.onload = function () { resolve({ name: file.name, type: file.type, data: r.result }); };
      r.onerror = reject;
      r.readAsDataURL(file);
    });
  }
  function toBlob(dataUrl) {
    var parts = dataUrl.split(","), mime = parts[0].split(":")[1].split(";")[0];
    var bin = atob(parts[1]), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Blob([bytes], { type: mime });
  }

  form.addEventListener("submit", function (event) {
    if (navigator.onLine !== false) return; // online: the ordinary form post
    event.preventDefault();
    var fields = {};
    ["category", "description", "grid", "lat", "lng", "address"].forEach(function (n) {
      fields[n] = form.elements[n].value;
    });
    var files = Array.prototype.slice.call(form.elements.photos.files || []);
    Promise.all(files.map(readFile)).then(function (photos) {
      var items = load();
      items.push({ fields: fields, photos: photos, at: new Date().toLocaleString() });
      if (save(items)) {
        form.reset();
        show(text.dataset.offline);
      }
    });
  });

  var sending = false;
  function flush() {
    var items = load();
    if (sending || !items.length || navigator.onLine === false) return;
    sending = true;
    show(text.dataset.sending);
    var token = form.elements.csrfmiddlewaretoken.value;
    var failed = false;
    var chain = Promise.resolve();
    items.forEach(function (item) {
      chain = chain.then(function () {
        var data = new FormData();
        data.append("csrfmiddlewaretoken", token);
        Object.keys(item.fields).forEach(function (k) { data.append(k, item.fields[k]); });
        item.photos.forEach(function (p) { data.append("photos", toBlob(p.data), p.name); });
        return fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
          .then(function (r) {
            var rest = load().filter(function (x) { return x.at !== item.at; });
            if (r.ok) { save(rest); } else if (r.status === 422) { save(rest); failed = true; }
          });
      });
    });
    chain.catch(function () {}).then(function () {
      sending = false;
      show(failed ? text.dataset.failed : text.dataset.sent);
    });
  }
  window.addEventListener("online", flush);
  show("");
  flush();
})();
