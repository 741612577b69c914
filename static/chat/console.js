/* Operator console: one socket per tab, live rows, the open dialog, the composer.
 * Lists and messages arrive as HTML rendered by the server with the page's own
 * templates, so a live row and a reloaded row are identical. */
(function () {
  "use strict";

  var body = document.body;
  var operatorId = Number(body.dataset.operator);
  var dialogId = body.dataset.dialog ? Number(body.dataset.dialog) : null;
  var list = document.getElementById("tab-list");
  var currentTab = list ? list.dataset.tab : null;
  // Ids of the open dialogs in each tab: the counts, kept live from row events.
  var members = {};
  var membersData = document.getElementById("tab-members");
  if (membersData) {
    var initial = JSON.parse(membersData.textContent);
    Object.keys(initial).forEach(function (tab) { members[tab] = new Set(initial[tab]); });
  }
  var transcript = document.getElementById("transcript");
  var connStatus = document.getElementById("conn-status");
  var typingLine = document.getElementById("typing");
  var baseTitle = document.title;
  var strings = document.getElementById("console-strings").dataset;

  var socket = null;
  var retries = 0;
  var plannedInARow = 0; // 4012 closes since the last hello
  var outbox = []; // frames sent but not acknowledged yet, resent after a reconnect
  // The resume cursor: the end of the last replay (or of the page), not the last message
  // shown, which can pass one whose live event was lost (docs/protocol.md, Resume).
  var resumeAfter = 0;
  var unseen = 0;

  function fragment(html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html.trim();
    return tpl.content.firstElementChild;
  }

  function lastShownId() {
    var ids = transcript ? transcript.querySelectorAll(".msg[data-id]") : [];
    return ids.length ? Number(ids[ids.length - 1].dataset.id) : 0;
  }

  function scrollDown() {
    if (transcript) transcript.scrollTop = transcript.scrollHeight;
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  // --- notifications --------------------------------------------------------------

  function ding() {
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)();
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, ctx.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.4);
      osc.connect(gain).connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.4);
    } catch (e) { /* audio is a nicety */ }
  }

  // repeat: why console-alerts.js alerts again ("repeat", "offer"); the browser notification
  // then shows again (renotify). Each alert is a "console:alert" DOM event.
  function notifyNew(title, body, targetDialog, repeat) {
    document.dispatchEvent(new CustomEvent("console:alert", { detail: { dialog: targetDialog || null, reason: repeat || "new" } }));
    if (!document.hasFocus()) {
      unseen += 1;
      document.title = "(" + unseen + ") " + baseTitle;
    }
    ding();
    if (document.hidden && window.Notification && Notification.permission === "granted") {
      var note = new Notification(title || baseTitle, { body: body || "", tag: "dialog-" + targetDialog, renotify: !!repeat });
      note.onclick = function () {
        window.focus();
        if (targetDialog) window.location.href = "/console/dialogs/" + targetDialog + "/";
      };
    }
  }

  // Browsers allow the permission prompt only after a user gesture: ask on the first click.
  if (window.Notification && Notification.permission === "default") {
    document.addEventListener("click", function ask() {
      document.removeEventListener("click", ask);
      Notification.requestPermission();
    });
  }

  window.addEventListener("focus", function () {
    unseen = 0;
    document.title = baseTitle;
  });

  // --- tab rows -------------------------------------------------------------------

  function updateCounts() {
    Object.keys(members).forEach(function (tab) {
      var badge = document.querySelector('[data-count="' + tab + '"]');
      if (badge) badge.textContent = members[tab].size.toLocaleString(document.documentElement.lang || undefined);
    });
    var empty = document.getElementById("tab-empty");
    if (empty && list) empty.hidden = list.querySelector(".row") !== null;
  }

  function placeRow(row) {
    var sort = Number(row.dataset.sort);
    var after = null;
    list.querySelectorAll(".row").forEach(function (other) {
      if (!after && Number(other.dataset.sort) < sort) after = other;
    });
    list.insertBefore(row, after);
  }

  function onRow(frame) {
    var wasMine = members.mine && members.mine.has(frame.dialog);
    Object.keys(members).forEach(function (tab) { members[tab].delete(frame.dialog); });
    if (frame.tab && members[frame.tab]) members[frame.tab].add(frame.dialog);
    var old = list ? list.querySelector('.row[data-dialog="' + frame.dialog + '"]') : null;
    var unreadBefore = old ? Number(old.dataset.unread || 0) : 0;
    if (old) old.remove();
    var row = frame.html ? fragment(frame.html) : null;
    if (row && list && frame.tab === currentTab) {
      if (frame.dialog === dialogId) row.classList.add("current");
      var badge = row.querySelector(".badge");
      row.dataset.unread = badge ? badge.textContent : "0";
      placeRow(row);
      refreshWaiting(row);
    }
    updateCounts();
    // data-quiet: opened outside business hours (chat/dialogs/availability.py), no alert.
    if (frame.tab === "mine" && frame.dialog !== dialogId && row && !row.hasAttribute("data-quiet")) {
      var badgeNow = row.querySelector(".badge");
      var unread = badgeNow ? Number(badgeNow.textContent) : 0;
      if (!wasMine || unread > unreadBefore) {
        var name = row.querySelector(".row-name");
        var preview = row.querySelector(".row-preview");
        notifyNew(name ? name.textContent : "", preview ? preview.textContent : "", frame.dialog);
      }
    }
  }

  // --- catching up on every (re)connect (docs/protocol.md, "Console socket: catching up")

  // The page's cursor: the version of each row it lists and the ids it counts in Mine.
  // The server answers with what changed since, before any later live event.
  var SHOWN_MAX = 500;
  var MINE_MAX = 1000;
  var moreButton = document.getElementById("tab-more");

  function syncFrame() {
    var frame = { type: "sync", tab: list ? currentTab : null, shown: {}, more: false, mine: [] };
    if (list) {
      var rows = list.querySelectorAll(".row");
      for (var i = 0; i < rows.length && i < SHOWN_MAX; i++) {
        frame.shown[rows[i].dataset.dialog] = rows[i].dataset.v || "";
      }
      frame.more = rows.length > SHOWN_MAX || !!(moreButton && !moreButton.hidden);
    }
    var mine = Array.from(members.mine || []).sort(function (a, b) { return b - a; });
    if (mine.length > MINE_MAX) {
      mine = mine.slice(0, MINE_MAX);
      frame.mine_from = mine[mine.length - 1];
    }
    frame.mine = mine;
    return frame;
  }

  function tabHolding(tabs, id) {
    return Object.keys(tabs).filter(function (tab) { return tabs[tab].indexOf(id) !== -1; })[0] || null;
  }

  // Applied as the live row events it stands for (other scripts hear them too), then
  // the counts take the server's ids.
  function onSynced(frame) {
    frame.rows.forEach(function (row) {
      dispatch({ type: "row", dialog: row.dialog, tab: row.tab, html: row.html });
    });
    if (list && frame.tab === currentTab) {
      var listed = new Set(frame.members[currentTab] || []);
      list.querySelectorAll(".row").forEach(function (row) {
        var id = Number(row.dataset.dialog);
        if (!listed.has(id)) dispatch({ type: "row", dialog: id, tab: tabHolding(frame.members, id), html: null });
      });
      if (moreButton) moreButton.hidden = !frame.more;
    }
    members = {};
    Object.keys(frame.members).forEach(function (tab) { members[tab] = new Set(frame.members[tab]); });
    updateCounts();
  }

  // "waiting 3 min" on rows of dialogs whose visitor waits for an answer.
  function refreshWaiting(row) {
    var since = Number(row.dataset.waiting || 0);
    var label = row.querySelector(".row-waiting");
    if (!since || !label) return;
    var minutes = Math.max(0, Math.floor((Date.now() / 1000 - since) / 60));
    label.textContent = strings.waiting.replace("%(minutes)s", minutes);
    label.hidden = false;
  }

  setInterval(function () {
    if (list) list.querySelectorAll(".row[data-waiting]").forEach(refreshWaiting);
  }, 30000);

  // --- the open dialog ------------------------------------------------------------

  function onMessage(frame) {
    var message = frame.message;
    if (!transcript || message.dialog !== dialogId) return;
    if (transcript.querySelector('.msg[data-id="' + message.id + '"]')) return;
    var node = fragment(frame.html);
    var pending = message.client_id &&
      transcript.querySelector('.msg-pending[data-client-id="' + CSS.escape(message.client_id) + '"]');
    if (pending) pending.replaceWith(node); else transcript.insertBefore(node, storedAfter(message.id));
    if (message.author.kind === "visitor") showTyping(false);
    scrollDown();
  }

  // A replay after a fault can bring a message older than ones shown: keep the id order.
  function storedAfter(id) {
    var later = Array.prototype.find.call(transcript.querySelectorAll(".msg[data-id]"), function (el) {
      return Number(el.dataset.id) > id;
    });
    return later || null;
  }

  function onDialog(frame) {
    var d = frame.dialog;
    if (d.id !== dialogId) return;
    var ids = d.operators.map(function (op) { return op.id; });
    var wasIn = body.dataset.operators.split(",").indexOf(String(operatorId)) !== -1;
    var isIn = ids.indexOf(operatorId) !== -1;
    // Who may write and which buttons show depend on the state: the server renders it.
    if (d.status !== body.dataset.status || wasIn !== isIn) {
      window.location.reload();
      return;
    }
    // A colleague joined or left: only the names in the header change.
    body.dataset.operators = ids.join(",");
    var names = d.operators.map(function (op) { return op.name; }).join(", ");
    document.getElementById("dialog-operators").textContent = names ? " · " + names : "";
  }

  function showTyping(on, name) {
    if (!typingLine) return;
    typingLine.hidden = !on;
    typingLine.classList.remove("typing-preview");
    typingLine.textContent = on ? strings.typing.replace("%(name)s", name || strings.visitor) : "";
  }

  // Typing preview: the visitor's draft (only connected operators get it), always as text.
  var PREVIEW_SHOWN_CHARS = 300;
  function showDraft(text) {
    var title = document.getElementById("dialog-title");
    var name = (title && title.textContent.trim()) || strings.visitor;
    var chars = Array.from(text);
    if (chars.length > PREVIEW_SHOWN_CHARS) text = "…" + chars.slice(-PREVIEW_SHOWN_CHARS).join("");
    typingLine.hidden = false;
    typingLine.classList.add("typing-preview");
    typingLine.textContent = strings.typingPreview.replace(/%\((name|text)\)s/g, function (_, key) {
      return key === "name" ? name : text;
    });
  }

  var typingTimer = null;
  function onTyping(frame) {
    if (frame.dialog !== dialogId) return;
    var who = frame.author.kind === "visitor" ? strings.visitor : frame.author.name;
    var draft = frame.author.kind === "visitor" && frame.typing && typeof frame.text === "string";
    if (draft && typingLine && strings.typingPreview) showDraft(frame.text);
    else showTyping(frame.typing, who);
    clearTimeout(typingTimer);
    if (frame.typing) typingTimer = setTimeout(function () { showTyping(false); }, 6000);
  }

  function onAck(frame) {
    outbox = outbox.filter(function (f) { return f.client_id !== frame.client_id; });
    var pending = transcript &&
      transcript.querySelector('.msg-pending[data-client-id="' + CSS.escape(frame.client_id) + '"]');
    if (pending) pending.classList.add("msg-acked");
  }

  function onError(frame) {
    var box = document.getElementById("composer-error");
    var queued = frame.client_id && outbox.filter(function (f) { return f.client_id === frame.client_id; })[0];
    if (queued && frame.code === "unavailable") {
      // Nothing was stored: the same frame goes again in 1-2 s (and on every reconnect).
      setTimeout(function () { if (outbox.indexOf(queued) !== -1) send(queued); }, 1000 + Math.random() * 1000);
    } else if (frame.client_id) {
      outbox = outbox.filter(function (f) { return f.client_id !== frame.client_id; });
      var pending = transcript &&
        transcript.querySelector('.msg-pending[data-client-id="' + CSS.escape(frame.client_id) + '"]');
      if (pending) pending.classList.add("msg-failed");
    }
    if (box) {
      box.textContent = frame.detail;
      box.hidden = false;
      setTimeout(function () { box.hidden = true; }, 6000);
    } else {
      onNotice({ text: frame.detail });
    }
  }

  // --- composer -------------------------------------------------------------------

  function newClientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  // A text written in the composer: shown at once as a pending bubble (the stored one
  // replaces it when it comes back), kept in the outbox until acknowledged and sent again
  // on each reconnect. look: the bubble's classes, an operator's message's by default
  // (teamwork.js's notes pass theirs).
  // A composer sends on submit and on Enter (Shift+Enter: a new line).
  function onSend(form, input, send) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        send();
      }
    });
  }

  var MESSAGE_LOOK = { node: "msg msg-operator", bubble: "bubble", text: "msg-text" };
  function sendWritten(frame, look) {
    look = look || MESSAGE_LOOK;
    var node = document.createElement("div");
    node.className = look.node + " msg-pending";
    node.dataset.clientId = frame.client_id;
    var bubble = document.createElement("div");
    bubble.className = look.bubble;
    var p = document.createElement("div");
    p.className = look.text;
    p.textContent = frame.text;
    bubble.appendChild(p);
    node.appendChild(bubble);
    transcript.appendChild(node);
    scrollDown();
    outbox.push(frame);
    send(frame);
  }

  // Inviting goes over the socket: a page reload now could miss the colleague's answer.
  function setupInviteMenu() {
    var form = document.querySelector(".invite-form");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      if (!socket || socket.readyState !== WebSocket.OPEN) return; // the form posts instead
      event.preventDefault();
      var choice = event.submitter;
      send({ type: "invite", dialog: dialogId, invitee: Number(choice.value) });
      document.querySelectorAll("details[open]").forEach(function (d) { d.open = false; });
    });
  }

  function setupComposer() {
    var form = document.getElementById("composer");
    if (!form) return;
    var input = document.getElementById("composer-text");
    var lastTyping = 0;

    function submit() {
      var text = input.value.trim();
      if (!text) return;
      sendWritten({ type: "message", dialog: dialogId, client_id: newClientId(), text: text });
      send({ type: "typing", dialog: dialogId, typing: false });
      input.value = "";
      input.focus();
    }

    onSend(form, input, submit);
    input.addEventListener("input", function () {
      var now = Date.now();
      if (now - lastTyping > 2000) {
        lastTyping = now;
        send({ type: "typing", dialog: dialogId, typing: true });
      }
    });
    input.focus();
  }

  // --- invitations and notices (any console page) ---------------------------------

  var toasts = document.getElementById("toasts");

  function showToast(node, seconds) {
    toasts.appendChild(node);
    if (seconds) setTimeout(function () { node.remove(); }, seconds * 1000);
  }

  function onInvitation(frame) {
    var node = fragment(frame.html);
    node.querySelectorAll("[data-answer]").forEach(function (button) {
      button.addEventListener("click", function () {
        node.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
        send({
          type: "answer_invitation",
          invitation: frame.invitation,
          accept: button.dataset.answer === "accept",
        });
      });
    });
    showToast(node);
    notifyNew(node.textContent.trim(), "", frame.dialog);
  }

  function dropInvitation(id) {
    var node = toasts.querySelector('[data-invitation="' + id + '"]');
    if (node) node.remove();
  }

  function onInvitationAnswered(frame) {
    dropInvitation(frame.invitation);
    if (frame.status === "accepted") window.location.href = "/console/dialogs/" + frame.dialog + "/";
  }

  function onNotice(frame) {
    var node = document.createElement("div");
    node.className = "toast";
    node.setAttribute("role", "status");
    node.textContent = frame.text;
    showToast(node, 8);
    ding();
  }

  // A site was taken from (or given to) this operator: the socket already follows his
  // sites; the lists catch up, and a dialog of a lost site leaves the screen with a word
  // on the next page (no error, a routine change).
  function onSitesChanged(frame) {
    if (dialogId && frame.dialog === dialogId) {
      outbox = [];
      try { sessionStorage.setItem("console-notice", strings.siteLost); } catch (e) { /* private mode */ }
      window.location.replace("/console/" + (currentTab && currentTab !== "mine" ? currentTab + "/" : ""));
      return;
    }
    send(syncFrame());
  }

  function showStoredNotice() {
    var text = null;
    try {
      text = sessionStorage.getItem("console-notice");
      sessionStorage.removeItem("console-notice");
    } catch (e) { /* private mode */ }
    if (text) onNotice({ text: text });
  }

  // --- the socket -----------------------------------------------------------------

  var handlers = {
    hello: function () {
      retries = 0;
      plannedInARow = 0;
      connStatus.hidden = true;
      send(syncFrame());
      if (dialogId) {
        send({ type: "watch", dialog: dialogId });
        send({ type: "resume", dialog: dialogId, after: resumeAfter });
        outbox.forEach(send);
      }
    },
    row: onRow,
    synced: onSynced,
    invitation: onInvitation,
    invitation_answered: onInvitationAnswered,
    invitation_closed: function (frame) { dropInvitation(frame.invitation); },
    notice: onNotice,
    message: onMessage,
    dialog: onDialog,
    typing: onTyping,
    ack: onAck,
    error: onError,
    resumed: function (frame) {
      if (typeof frame.last_id === "number") resumeAfter = Math.max(resumeAfter, frame.last_id);
    },
    delivery: function () { connStatus.hidden = false; }, // live updates paused server-side
    sites_changed: onSitesChanged,
  };

  // Other console scripts (visitor card, attachments, invitations ...) hook in here:
  // LiveConsole.on("type", fn) hears every frame of that type after the core handler.
  var listeners = {};
  window.LiveConsole = {
    operatorId: operatorId,
    dialogId: dialogId,
    on: function (type, listener) {
      (listeners[type] = listeners[type] || []).push(listener);
    },
    send: send,
    // Other apps' frames written in the composer (teamwork.js's notes): the same pending
    // bubble, outbox and resends as a message; acknowledged(frame) when their ack comes.
    sendWritten: sendWritten,
    newClientId: newClientId,
    onSend: onSend,
    acknowledged: onAck,
    fragment: fragment,
    notify: notifyNew,
  };

  function dispatch(frame) {
    var handler = handlers[frame.type];
    if (handler) handler(frame);
    (listeners[frame.type] || []).forEach(function (listener) { listener(frame); });
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + body.dataset.socket);
    socket.onmessage = function (event) { dispatch(JSON.parse(event.data)); };
    socket.onclose = function (event) {
      if (event.code === 4401) {
        window.location.reload(); // the session ended: the page redirects to login
        return;
      }
      if (event.code === 4012 && plannedInARow < 3) {
        // The server restarts (or lost live events): reconnect quietly after a short
        // random wait, no step up the backoff; the usual path if that attempt fails
        // (or a draining server keeps closing this socket before hello).
        plannedInARow += 1;
        setTimeout(connect, 100 + Math.random() * 900);
        return;
      }
      connStatus.hidden = false;
      var delay = Math.min(15000, 500 * Math.pow(2, retries)) * (0.5 + Math.random() / 2);
      retries += 1;
      setTimeout(connect, delay);
    };
  }

  if (list) {
    list.querySelectorAll(".row").forEach(function (row) {
      var badge = row.querySelector(".badge");
      row.dataset.unread = badge ? badge.textContent : "0";
      if (Number(row.dataset.dialog) === dialogId) row.classList.add("current");
      refreshWaiting(row);
    });
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll("details[open]").forEach(function (d) { d.open = false; });
    }
  });
  setupComposer();
  setupInviteMenu();
  showStoredNotice();
  scrollDown();
  resumeAfter = lastShownId();
  // Let the other console scripts (loaded with defer, after this one) register first.
  document.addEventListener("DOMContentLoaded", connect);
})();
