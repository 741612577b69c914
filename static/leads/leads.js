/* Leads in the console: a new lead appears at the top of the Leads page without a reload,
 * and a visitor who introduces himself gets his name in the open dialog's header and card.
 * Rows and the avatar come as HTML rendered by the server (leads/_lead_row.html). */
(function () {
  "use strict";

  if (!window.LiveConsole) return;

  var table = document.getElementById("leads-table");
  var tbody = document.getElementById("leads-rows");
  var count = document.getElementById("leads-count");
  var catchingUp = null; // ids of the live leads heard while a catch-up is on its way

  function rowOf(html) { // a <tr> is only parsed inside a table
    var tpl = document.createElement("template");
    tpl.innerHTML = "<table><tbody>" + html.trim() + "</tbody></table>";
    return tpl.content.querySelector("tr");
  }

  function receivedAt(row) {
    var time = row.querySelector("time[datetime]");
    return time ? Date.parse(time.getAttribute("datetime")) : 0;
  }

  function setCount(total) { // grouped by the page's locale: "1,234" / "1 234"
    if (!count) return;
    var lang = document.documentElement.lang || undefined;
    count.textContent = total.toLocaleString(lang);
    var noun = document.getElementById("leads-noun"); // "1 lead" / "2 leads", "5 заявок"
    if (noun && noun.dataset.forms) {
      var forms = JSON.parse(noun.dataset.forms);
      noun.textContent = forms[new Intl.PluralRules(lang).select(total)] || forms.other;
    }
  }

  // A lead the list does not show yet, in its place (newest first); false if shown.
  function addRow(row) {
    if (tbody.querySelector('[data-lead="' + row.dataset.lead + '"]')) return false;
    var at = receivedAt(row);
    var before = Array.prototype.find.call(tbody.querySelectorAll("tr[data-lead]"), function (other) {
      return receivedAt(other) < at;
    });
    row.classList.add("lead-row-new");
    tbody.insertBefore(row, before || null);
    document.getElementById("leads-table-wrap").hidden = false;
    document.getElementById("leads-empty").hidden = true;
    var name = row.querySelector(".l-name");
    LiveConsole.notify(name ? name.textContent.trim() : "", "", null);
    return true;
  }

  LiveConsole.on("lead", function (frame) {
    if (!table || !table.dataset.live) return;
    if (table.dataset.site && table.dataset.site !== String(frame.site)) return;
    if (table.dataset.source && table.dataset.source !== frame.source) return;
    var row = rowOf(frame.html);
    if (!row || !addRow(row)) return;
    if (catchingUp) catchingUp.add(Number(frame.lead));
    if (count) setCount(Number(count.textContent.replace(/\D/g, "")) + 1);
  });

  // Every (re)connect: the socket hears new leads from now on; the leads received since
  // the list was read (while the page loaded, or while the socket was down) come from
  // the server (docs/protocol.md, "Console socket: catching up").
  LiveConsole.on("hello", function () {
    if (!table || !table.dataset.live || !table.dataset.rowsUrl) return;
    var query = new URLSearchParams(location.search);
    query.delete("page");
    query.set("since", table.dataset.since);
    var heard = catchingUp = new Set();
    fetch(table.dataset.rowsUrl + "?" + query.toString(), {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text().then(function (html) {
          var tpl = document.createElement("template");
          tpl.innerHTML = "<table><tbody>" + html + "</tbody></table>";
          var ids = new Set();
          tpl.content.querySelectorAll("tr[data-lead]").forEach(function (row) {
            ids.add(Number(row.dataset.lead));
            addRow(row);
          });
          table.dataset.since = response.headers.get("X-Read-At") || table.dataset.since;
          // The total as the server read it, plus the live leads it could not count yet.
          var later = Array.from(heard).filter(function (id) { return !ids.has(id); }).length;
          setCount(Number(response.headers.get("X-Total")) + later);
        });
      })
      .catch(function () { /* the next reconnect tries again */ })
      .then(function () { if (catchingUp === heard) catchingUp = null; });
  });

  function contactLink(slot, href, text) {
    if (!slot) return;
    slot.textContent = "";
    if (!text) {
      var none = document.createElement("span");
      none.className = "card-none";
      none.textContent = "—";
      slot.appendChild(none);
      return;
    }
    var link = document.createElement("a");
    link.href = href;
    link.textContent = text;
    slot.appendChild(link);
  }

  LiveConsole.on("visitor", function (frame) {
    if (frame.dialog !== LiveConsole.dialogId) return;
    var title = document.getElementById("dialog-title");
    if (title) title.textContent = frame.name;
    var cardName = document.querySelector("#visitor-card .card-name strong");
    if (cardName) cardName.textContent = frame.name;
    contactLink(document.getElementById("card-email"), "mailto:" + frame.email, frame.email);
    contactLink(document.getElementById("card-phone"), frame.phone_href, frame.phone);
    var avatar = LiveConsole.fragment(frame.avatar_html);
    document.querySelectorAll("#card-toggle .avatar, #visitor-card .card-avatar .avatar")
      .forEach(function (old) { if (avatar) old.replaceWith(avatar.cloneNode(true)); });
  });
})();
