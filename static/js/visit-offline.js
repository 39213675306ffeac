// Offline-safe visit logging (no library; CSP script-src 'self').
//
// A visit form (<form data-offline-visit>) is never sent by the browser directly: its fields are
// first put in a queue in localStorage, then posted with fetch (Accept: application/json). The
// entry leaves the queue only when the server has answered for it: saved (or saved before:
// the idempotency key makes a second send return the first visit), or refused with reasons,
// which are shown. Without a connection the entry stays, the page says so, and the queue is
// sent again when the browser comes back online or a page with this script opens.
(function () {
  "use strict";

  var QUEUE = "huzhou.visitQueue.v1";

  function load() {
    try {
      return JSON.parse(window.localStorage.getItem(QUEUE) || "[]");
    } catch (e) {
      return [];
    }
  }

  function store(queue) {
    window.localStorage.setItem(QUEUE, JSON.stringify(queue));
  }

  function remove(key) {
    store(load().filter(function (entry) { return entry.key !== key; }));
  }

  function uuid4() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function say(text, kind) {
    document.querySelectorAll("[data-offline-pending]").forEach(function (box) {
      box.textContent = text;
      box.classList.toggle("d-none", !text);
      box.classList.toggle("alert-warning", kind !== "ok");
      box.classList.toggle("alert-success", kind === "ok");
    });
  }

  function pendingText() {
    var n = load().length;
    return n ? "有 " + n + " 条走访记录保存在本机，尚未发送：联网后会自动发送，请勿清除浏览器数据。" : "";
  }

  function showErrors(entry, errors) {
    var box = document.querySelector("[data-visit-errors]");
    if (!box) { return; }
    var lines = [];
    Object.keys(errors || {}).forEach(function (name) {
      (errors[name] || []).forEach(function (message) { lines.push(message); });
    });
    box.textContent = (entry.label ? entry.label + "：" : "") + "走访记录未保存，" + (lines.join("；") || "请检查填写内容。");
    box.classList.remove("d-none");
  }

  // Send one entry. Resolves "saved", "refused" or "kept" (no connection, session expired).
  function send(entry, direct) {
    var body = new URLSearchParams();
    entry.fields.forEach(function (pair) {
      if (pair[0] !== "csrfmiddlewaretoken") { body.append(pair[0], pair[1]); }
    });
    body.append("csrfmiddlewaretoken", csrfToken());
    return window.fetch(entry.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: {
        "Accept": "application/json",
        "X-CSRFToken": csrfToken(),
        "X-Visit-Direct": direct ? "1" : "0",
      },
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        return "kept";  // the login page or an error page: keep it for later
      }
      return response.json().then(function (data) {
        if (data.ok) {
          remove(entry.key);
          entry.next = data.next;
          return "saved";
        }
        remove(entry.key);
        showErrors(entry, data.errors);
        return "refused";
      });
    }, function () {
      return "kept";
    });
  }

  var flushing = false;

  function flush() {
    if (flushing || !navigator.onLine) {
      say(pendingText());
      return Promise.resolve(0);
    }
    flushing = true;
    var queue = load();
    var sent = 0;
    var chain = Promise.resolve();
    queue.forEach(function (entry) {
      chain = chain.then(function () {
        return send(entry).then(function (outcome) { if (outcome === "saved") { sent += 1; } });
      });
    });
    return chain.then(function () {
      flushing = false;
      var left = pendingText();
      if (left) {
        say(left);
      } else if (sent) {
        say("网络已恢复，离线保存的 " + sent + " 条走访记录已发送成功。", "ok");
      } else {
        say("");
      }
      return sent;
    });
  }

  function entryFrom(form) {
    var data = new FormData(form);
    var fields = [];
    data.forEach(function (value, name) { fields.push([name, String(value)]); });
    var select = form.querySelector("select[name=child]");
    var label = select && select.selectedIndex > 0 ? select.options[select.selectedIndex].text : "";
    return {
      key: String(data.get("idempotency_key")),
      action: form.getAttribute("action") || window.location.pathname,
      fields: fields,
      label: label,
      savedAt: new Date().toISOString(),
    };
  }

  function onSubmit(event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-offline-visit")) { return; }
    event.preventDefault();
    var entry = entryFrom(form);
    var queue = load().filter(function (e) { return e.key !== entry.key; });
    queue.push(entry);
    store(queue);  // kept before anything is sent: a lost connection loses nothing
    var errors = document.querySelector("[data-visit-errors]");
    if (errors) { errors.classList.add("d-none"); }

    function fresh() {
      form.reset();
      form.querySelector("input[name=idempotency_key]").value = uuid4();
    }

    if (!navigator.onLine) {
      fresh();
      say("当前没有网络：这条走访记录已保存在本机，联网后自动发送。" + pendingText());
      return;
    }
    send(entry, true).then(function (outcome) {
      if (outcome === "saved") {
        window.location.assign(entry.next);
      } else if (outcome === "kept") {
        fresh();
        say("发送失败（网络不稳定或登录已过期）：这条走访记录已保存在本机，稍后自动重发。" + pendingText());
      }
    });
  }

  document.addEventListener("submit", onSubmit);
  window.addEventListener("online", function () { flush(); });
  window.addEventListener("offline", function () { say("当前没有网络。" + pendingText()); });
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-offline-visit]");
    var key = form && form.querySelector("input[name=idempotency_key]");
    // A key already queued (the page came back from the cache) must not be reused.
    if (key && load().some(function (e) { return e.key === key.value; })) { key.value = uuid4(); }
    flush();
  });
})();
