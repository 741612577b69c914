/* The offline page: shown in the console's language (static/chat/pwa.js remembers it),
 * reloads when the network is back or when asked to. */
(function () {
  "use strict";

  var wanted = null;
  try { wanted = localStorage.getItem("livechat-console-language"); } catch (error) { /* private mode */ }
  var sections = document.querySelectorAll(".offline-text");
  var choice = Array.prototype.filter.call(sections, function (s) {
    return s.dataset.language === wanted;
  })[0];
  if (choice) {
    sections.forEach(function (s) { s.hidden = s !== choice; });
    document.documentElement.lang = wanted;
    document.title = choice.querySelector("h1").textContent;
  }

  function retry() { window.location.reload(); }
  document.querySelectorAll(".offline-retry").forEach(function (button) {
    button.addEventListener("click", retry);
  });

  // Reload as soon as the server answers again: the "online" event alone is not enough
  // (it fires when a network is joined, not when the server can be reached).
  var probing = false;
  function probe() {
    if (probing || !window.fetch) return;
    probing = true;
    fetch(window.location.href, { method: "HEAD", cache: "no-store", credentials: "same-origin" })
      .then(retry, function () { probing = false; });
  }
  window.addEventListener("online", probe);
  setInterval(probe, 3000);
})();
