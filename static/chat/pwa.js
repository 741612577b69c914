/* The installable console: registers its service worker (served at the URL in this
 * script's data-worker, scope data-scope) and remembers the console's language for the
 * offline page (static/chat/offline.js). */
(function () {
  "use strict";

  var script = document.currentScript;
  if (document.body && document.body.classList.contains("console")) {
    try {
      localStorage.setItem("livechat-console-language", document.documentElement.lang);
    } catch (error) { /* private mode: the offline page uses the browser's language */ }
  }
  if (!script || !("serviceWorker" in navigator)) return;
  navigator.serviceWorker
    .register(script.dataset.worker, { scope: script.dataset.scope })
    .catch(function () { /* the console works without it */ });
})();
