/* The Visitors tab's count on every console page: the operator's sites' online visitors,
 * read once from the server (engage:visitor_counts), then kept by the live
 * visitors_count frames (one site's figure each, at most once a second). */
(function () {
  "use strict";

  if (!window.LiveConsole) return;
  var tab = document.getElementById("visitors-tab");
  var badge = document.getElementById("visitors-count");
  if (!tab || !badge) return;
  var perSite = {};

  function show() {
    var total = Object.keys(perSite).reduce(function (sum, site) { return sum + perSite[site]; }, 0);
    badge.textContent = total.toLocaleString(document.documentElement.lang || undefined);
    badge.hidden = total === 0;
    document.dispatchEvent(new CustomEvent("engage:visitors-count", { detail: { sites: perSite } }));
  }

  function load() {
    fetch(tab.dataset.countsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || typeof data.sites !== "object") return;
        Object.keys(data.sites).forEach(function (site) {
          if (typeof data.sites[site] === "number") perSite[site] = data.sites[site];
        });
        show();
      })
      .catch(function () { /* the live frames fill it in */ });
  }

  LiveConsole.on("visitors_count", function (frame) {
    if (typeof frame.count !== "number") return;
    perSite[String(frame.site)] = frame.count;
    show();
  });
  LiveConsole.on("hello", load); // each (re)connect: what changed while the socket was away
})();
