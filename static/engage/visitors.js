/* The Visitors page: rows arrive, follow the visitor's page and leave live (the
 * visitor_row / visitor_gone frames carry the row rendered by the server, at most one a
 * second per visitor), under the page's filters; "Write to visitor" opens a small form and
 * goes to the new dialog. */
(function () {
  "use strict";

  if (!window.LiveConsole) return;
  var list = document.getElementById("v-rows");
  if (!list) return;
  var form = document.getElementById("v-filter");
  var params = new URLSearchParams(location.search);
  var filter = {
    site: params.get("site") || "",
    notInDialog: params.get("not_in_dialog") === "on",
    page: (params.get("page") || "").trim().toLowerCase(),
  };
  var lang = document.documentElement.lang || undefined;

  function rowOf(html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html.trim();
    return tpl.content.querySelector("li.v-row");
  }

  function passes(row) {
    if (filter.site && row.dataset.site !== filter.site) return false;
    if (filter.notInDialog && row.dataset.inDialog === "1") return false;
    if (filter.page && row.dataset.page.indexOf(filter.page) === -1) return false;
    return true;
  }

  function existing(visitor) {
    return list.querySelector('li.v-row[data-visitor="' + Number(visitor) + '"]');
  }

  function refreshTotal() {
    var total = list.children.length;
    document.getElementById("v-shown").textContent = total.toLocaleString(lang);
    var noun = document.getElementById("v-noun");
    if (noun && noun.dataset.forms) {
      var forms = JSON.parse(noun.dataset.forms);
      noun.textContent = forms[new Intl.PluralRules(lang).select(total)] || forms.other;
    }
    document.getElementById("v-empty").hidden = total > 0;
  }

  // Time on the site: "4 min", "1 h 5 min", in the page's language.
  var minutes = new Intl.NumberFormat(lang, { style: "unit", unit: "minute", unitDisplay: "short" });
  var hours = new Intl.NumberFormat(lang, { style: "unit", unit: "hour", unitDisplay: "short" });
  function duration(seconds) {
    var m = Math.max(0, Math.floor(seconds / 60));
    if (m < 60) return minutes.format(m);
    return hours.format(Math.floor(m / 60)) + " " + minutes.format(m % 60);
  }
  function tick(scope) {
    var now = Date.now() / 1000;
    (scope || list).querySelectorAll(".v-time[data-since]").forEach(function (el) {
      el.textContent = duration(now - Number(el.dataset.since));
    });
  }

  LiveConsole.on("visitor_row", function (frame) {
    if (typeof frame.html !== "string") return;
    var row = rowOf(frame.html);
    var old = existing(frame.visitor);
    if (!row) return;
    if (!passes(row)) {
      if (old) old.remove();
    } else if (old) {
      old.replaceWith(row);
    } else {
      row.classList.add("v-row-new");
      list.insertBefore(row, list.firstChild); // the newest visit first, as on the page
    }
    tick(row);
    refreshTotal();
  });

  LiveConsole.on("visitor_gone", function (frame) {
    var old = existing(frame.visitor);
    if (old) old.remove();
    refreshTotal();
  });

  // Reconnected: rows may have changed unheard; the page reloads them when it is idle.
  var connectedOnce = false;
  LiveConsole.on("hello", function () {
    if (connectedOnce && !document.getElementById("v-write-dialog").open) location.reload();
    connectedOnce = true;
  });

  // --- Write to visitor ---------------------------------------------------------------
  var dialog = document.getElementById("v-write-dialog");
  var writeForm = document.getElementById("v-write-form");
  var error = document.getElementById("v-write-error");
  var sendButton = document.getElementById("v-write-send");

  list.addEventListener("click", function (event) {
    var button = event.target.closest(".v-write");
    if (!button) return;
    writeForm.action = button.dataset.url;
    document.getElementById("v-write-name").textContent = button.dataset.name || "";
    error.hidden = true;
    if (typeof dialog.showModal === "function") dialog.showModal(); else dialog.setAttribute("open", "");
    document.getElementById("v-write-text").focus();
  });
  document.getElementById("v-write-cancel").addEventListener("click", function () { dialog.close(); });

  writeForm.addEventListener("submit", function (event) {
    event.preventDefault();
    sendButton.disabled = true;
    error.hidden = true;
    fetch(writeForm.action, {
      method: "POST",
      body: new FormData(writeForm),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (result) {
        if (result.ok && typeof result.data.url === "string") {
          location.assign(result.data.url);
          return;
        }
        error.textContent = (result.data && result.data.detail) || "";
        error.hidden = false;
        sendButton.disabled = false;
      })
      .catch(function () {
        error.textContent = writeForm.dataset.failed || "…";
        error.hidden = false;
        sendButton.disabled = false;
      });
  });

  if (form) {
    // A filter field changed: apply it (a phone keyboard's "Go" does too).
    form.querySelectorAll("select, input[type=checkbox]").forEach(function (field) {
      field.addEventListener("change", function () { form.submit(); });
    });
  }
  tick();
  setInterval(tick, 30000);
})();
