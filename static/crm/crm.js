// CRM export state on the dialog page: the server sends the rendered panel in `export`
// frames (crm/services.py -> chat.realtime.events); it is swapped in as is.
(function () {
  "use strict";
  if (!window.LiveConsole) return;

  function csrfToken() {
    var input = document.querySelector(".dialog-menu input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // Panels rendered by the publisher carry no CSRF token: give their forms the page's.
  function fillTokens(root) {
    var token = csrfToken();
    root.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) {
      if (!input.value) input.value = token;
    });
  }

  function swap(html) {
    var current = document.getElementById("crm-exports");
    var next = window.LiveConsole.fragment(html);
    if (!current || !next) return;
    fillTokens(next);
    current.replaceWith(next);
  }

  window.LiveConsole.on("export", function (frame) {
    if (String(frame.dialog) === String(window.LiveConsole.dialogId)) swap(frame.html);
  });

  // An export that changed between the page's rendering and the socket's watch (right
  // after Send to CRM, or during a reconnect) sent its frame to nobody: reload the panel.
  window.LiveConsole.on("watching", function (frame) {
    var panel = document.getElementById("crm-exports");
    if (String(frame.dialog) !== String(window.LiveConsole.dialogId)) return;
    if (!panel || !panel.querySelector(".crm-queued")) return;
    fetch(panel.dataset.url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html) swap(html); })
      .catch(function () { /* the next frame or reload shows it */ });
  });

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.getElementById("crm-exports");
    if (panel) fillTokens(panel);
  });
})();
