// Portal behaviours, attached by data attributes (no inline scripts: CSP script-src 'self').
(function () {
  "use strict";

  // <form data-confirm="确定要…？"> asks before a destructive or irreversible action.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);

  // <select data-autosubmit> submits its form on change (filters).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.requestSubmit();
    }
  });

  // <input type="checkbox" data-check-all="NAME"> ticks or clears every checkbox NAME of its form.
  document.addEventListener("change", function (event) {
    var el = event.target;
    var name = el.getAttribute && el.getAttribute("data-check-all");
    if (name && el.form) {
      el.form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
        box.checked = el.checked;
      });
    }
  });

  // Progress bars rendered by the server carry their width in data-progress.
  function paintProgress(root) {
    (root || document).querySelectorAll("[data-progress]").forEach(function (bar) {
      bar.style.width = bar.getAttribute("data-progress") + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { paintProgress(document); });
  document.addEventListener("htmx:afterSwap", function (event) { paintProgress(event.target); });
})();
