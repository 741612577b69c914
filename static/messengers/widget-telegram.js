/* "Continue in Telegram" in the widget (docs/channels.md): hello["telegram"] carries the
 * site's bot link with this visitor's signed /start payload; the link sits above the
 * composer while the widget is connected. */
(function () {
  "use strict";

  function show(frame) {
    var offer = frame.telegram;
    var link = document.getElementById("lc-telegram");
    if (!offer || !offer.url) {
      if (link) link.hidden = true;
      return;
    }
    if (!link) {
      link = document.createElement("a");
      link.id = "lc-telegram";
      link.className = "lc-telegram";
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      var composer = document.getElementById("lc-composer");
      if (!composer) return;
      composer.parentNode.insertBefore(link, composer);
    }
    link.href = offer.url;
    link.textContent = offer.text;
    link.hidden = false;
  }

  function start() {
    if (window.LiveWidget) window.LiveWidget.on("hello", show);
  }
  if (window.LiveWidget) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
