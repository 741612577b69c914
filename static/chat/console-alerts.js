/* Alerts nobody misses (docs/operations.md, "Alerts and Web Push").
 *
 * - Repeat: a new dialog nobody has opened carries data-unopened and its site's
 *   data-alert-every (seconds) on its row. While such a row is in my Mine tab, the
 *   console repeats its new-dialog alert (sound, "(N)" title, browser notification with
 *   renotify) every interval, until a row event re-renders the row without the flag
 *   (someone opened it) or the dialog leaves Mine. Each alert is a "console:alert" DOM
 *   event (console.js), detail {dialog, reason: "new" | "repeat" | "offer"}.
 * - Offer: the server offers a dialog nobody opened to every online operator (an `offer`
 *   frame, chat/dialogs/offers.py): a banner on any console page, with the visitor's name, how
 *   long he waits and "Open dialog"; it goes when dismissed or when the dialog is opened.
 */
(function () {
  "use strict";

  var C = window.LiveConsole;
  if (C) C.toasts = toasts; // the page's toast box, for other apps' toasts (teamwork.js)
  var stringsNode = document.getElementById("alert-strings");
  var template = document.getElementById("offer-template");
  if (!C || !stringsNode || !template) return;
  var strings = stringsNode.dataset;
  var waitingText = document.getElementById("console-strings").dataset.waiting;

  // --- repeat ---------------------------------------------------------------------

  var repeating = {}; // dialog id -> {timer, title, body}

  function stop(id) {
    if (repeating[id]) clearInterval(repeating[id].timer);
    delete repeating[id];
  }

  function text(row, selector) {
    var node = row.querySelector(selector);
    return node ? node.textContent : "";
  }

  // row: the dialog's row as rendered by the server (in Mine), or null (not in Mine).
  function track(id, row) {
    var every = row ? Number(row.dataset.alertEvery || 0) : 0;
    if (!row || !row.hasAttribute("data-unopened") || every <= 0 || id === C.dialogId) {
      stop(id);
      return;
    }
    var entry = repeating[id];
    if (entry && entry.every === every) {
      entry.title = text(row, ".row-name");
      entry.body = text(row, ".row-preview");
      return;
    }
    stop(id);
    entry = repeating[id] = { every: every, title: text(row, ".row-name"), body: text(row, ".row-preview") };
    entry.timer = setInterval(function () {
      C.notify(entry.title, entry.body, id, "repeat");
    }, every * 1000);
  }

  C.on("row", function (frame) {
    var row = frame.tab === "mine" && frame.html ? C.fragment(frame.html) : null;
    track(frame.dialog, row);
    if (!row || !row.hasAttribute("data-unopened")) dropOffer(frame.dialog);
  });

  var list = document.getElementById("tab-list");
  if (list && list.dataset.tab === "mine") {
    list.querySelectorAll(".row[data-unopened]").forEach(function (row) {
      track(Number(row.dataset.dialog), row);
    });
  }

  // --- offer ----------------------------------------------------------------------

  function toasts() {
    var box = document.getElementById("toasts");
    if (!box) {
      box = document.createElement("div");
      box.className = "toasts";
      box.id = "toasts";
      box.setAttribute("aria-live", "assertive");
      document.body.appendChild(box);
    }
    return box;
  }

  function dropOffer(id) {
    var node = document.querySelector('.toast-offer[data-offer="' + id + '"]');
    if (node) node.remove();
  }

  function fill(pattern, values) {
    return pattern.replace(/%\((\w+)\)s/g, function (all, key) {
      return key in values ? values[key] : all;
    });
  }

  function showWaiting(node) {
    var since = Number(node.dataset.waiting);
    var minutes = Math.max(0, Math.floor((Date.now() / 1000 - since) / 60));
    node.querySelector(".offer-waiting").textContent = fill(waitingText, { minutes: minutes });
  }

  C.on("offer", function (frame) {
    if (frame.dialog === C.dialogId) return; // this tab shows it already
    dropOffer(frame.dialog);
    var node = template.content.firstElementChild.cloneNode(true);
    node.dataset.offer = frame.dialog;
    node.dataset.waiting = frame.waiting;
    node.querySelector(".offer-title").textContent =
      fill(strings.offer, { number: frame.number, name: frame.name });
    showWaiting(node);
    var open = node.querySelector(".offer-open");
    open.href = "/console/dialogs/" + frame.dialog + "/";
    node.querySelector(".offer-dismiss").addEventListener("click", function () { node.remove(); });
    node.addEventListener("keydown", function (event) {
      if (event.key === "Escape") node.remove();
    });
    toasts().appendChild(node);
    C.notify(fill(strings.offered, { name: frame.name }), fill(waitingText, { minutes: frame.minutes }), frame.dialog, "offer");
  });

  setInterval(function () {
    document.querySelectorAll(".toast-offer[data-waiting]").forEach(showWaiting);
  }, 30000);
})();
