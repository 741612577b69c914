/* Leads in the console: a new lead appears at the top of the Leads page without a reload,
 * and a visitor who introduces himself gets his name in the open dialog's header and card.
 * Rows and the avatar come as HTML rendered by the server (leads/_lead_row.html). */
(function () {
  "use strict";

  if (!window.LiveConsole) return;

  LiveConsole.on("lead", function (frame) {
    var table = document.getElementById("leads-table");
    if (!table || !table.dataset.live) return;
    if (table.dataset.site && table.dataset.site !== String(frame.site)) return;
    if (table.dataset.source && table.dataset.source !== frame.source) return;
    var rows = document.getElementById("leads-rows");
    if (rows.querySelector('[data-lead="' + frame.lead + '"]')) return;
    // A <tr> is only parsed inside a table.
    var tpl = document.createElement("template");
    tpl.innerHTML = "<table><tbody>" + frame.html.trim() + "</tbody></table>";
    var row = tpl.content.querySelector("tr");
    if (!row) return;
    row.classList.add("lead-row-new");
    rows.insertBefore(row, rows.firstChild);
    document.getElementById("leads-table-wrap").hidden = false;
    document.getElementById("leads-empty").hidden = true;
    var count = document.getElementById("leads-count");
    if (count) { // grouped by the page's locale: "1,234" / "1 234"
      var total = Number(count.textContent.replace(/\D/g, "")) + 1;
      count.textContent = total.toLocaleString(document.documentElement.lang || undefined);
      var noun = document.getElementById("leads-noun"); // "1 lead" / "2 leads", "5 заявок"
      if (noun && noun.dataset.forms) {
        var forms = JSON.parse(noun.dataset.forms);
        var category = new Intl.PluralRules(document.documentElement.lang || undefined).select(total);
        noun.textContent = forms[category] || forms.other;
      }
    }
    var name = row.querySelector(".l-name");
    LiveConsole.notify(name ? name.textContent.trim() : "", "", null);
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
