/* Times in the operator's zone and language (chat/console/timezones.py).
 *
 * - Keeps the browser's zone in the "tz" cookie: the server shows pages in it when the
 *   operator has not chosen one in his profile.
 * - Live fragments (rows, messages, leads, CRM exports) are rendered by the server in UTC:
 *   every <time datetime data-fmt> in them is shown here in the operator's zone (the
 *   <body data-time-zone>, empty: the browser's) and the page's language, 24-hour as the
 *   server's "H:i". Those in the page at load are formatted the same way, so a live row
 *   and a reloaded one read the same.
 */
(function () {
  "use strict";

  var browserZone = "";
  try { browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* old browser */ }
  if (browserZone) {
    var current = document.cookie.split("; ").filter(function (c) { return c.indexOf("tz=") === 0; })[0];
    if (!current || decodeURIComponent(current.slice(3)) !== browserZone) {
      document.cookie = "tz=" + encodeURIComponent(browserZone) + "; path=/; max-age=31536000; SameSite=Lax";
    }
  }

  var locale = document.documentElement.lang || undefined;
  var zone = (document.body && document.body.dataset.timeZone) || undefined;
  var clock = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  var formats = {
    time: clock,                                                            // "H:i"
    daytime: Object.assign({ day: "numeric", month: "short" }, clock),      // "j M, H:i"
    datetime: Object.assign({ day: "numeric", month: "short", year: "numeric" }, clock), // "j M Y, H:i"
  };
  var formatters = {};

  function formatter(kind) {
    if (!formatters[kind]) {
      var options = Object.assign({}, formats[kind] || formats.time);
      if (zone) options.timeZone = zone;
      try {
        formatters[kind] = new Intl.DateTimeFormat(locale, options);
      } catch (e) { // an unknown zone: the browser's
        delete options.timeZone;
        formatters[kind] = new Intl.DateTimeFormat(locale, options);
      }
    }
    return formatters[kind];
  }

  function show(el) {
    var date = new Date(el.getAttribute("datetime"));
    if (isNaN(date.getTime())) return;
    var text = formatter(el.dataset.fmt).format(date);
    if (el.textContent !== text) el.textContent = text;
  }

  function showIn(node) {
    if (node.nodeType !== 1) return;
    if (node.matches("time[datetime][data-fmt]")) show(node);
    node.querySelectorAll("time[datetime][data-fmt]").forEach(show);
  }

  window.ConsoleTime = { show: showIn };

  function start() {
    showIn(document.body);
    new MutationObserver(function (records) {
      records.forEach(function (record) { record.addedNodes.forEach(showIn); });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
