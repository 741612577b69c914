/* Operator console: one socket per tab, live rows, the open dialog, the composer.
 * Lists and messages arrive as HTML rendered by the server with the page's own
 * templates, so a live row and a reloaded row are identical. */
(function () {
  "use strict";

  var body = document.body;
  var operatorId = Number(body.dataset.operator);
  var dialogId = body.dataset.dialog ? Number(body.dataset.dialog) : null;
  var list = document.getElementById("mine-list");
  var transcript = document.getElementById("transcript");
  var connStatus = document.getElementById("conn-status");
  var typingLine = document.getElementById("typing");
  var baseTitle = document.title;
  var strings = document.getElementById("console-strings").dataset;

  var socket = null;
  var retries = 0;
  var outbox = []; // frames sent but not acknowledged yet, resent after a reconnect
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

  function notifyNew() {
    if (!document.hasFocus()) {
      unseen += 1;
      document.title = "(" + unseen + ") " + baseTitle;
    }
    ding();
  }

  window.addEventListener("focus", function () {
    unseen = 0;
    document.title = baseTitle;
  });

  // --- tab rows -------------------------------------------------------------------

  function updateCount() {
    var rows = list.querySelectorAll(".row").length;
    document.getElementById("mine-count").textContent = rows;
    document.getElementById("mine-empty").hidden = rows > 0;
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
    var old = list.querySelector('.row[data-dialog="' + frame.dialog + '"]');
    if (frame.tab !== "mine") {
      if (old) old.remove();
      updateCount();
      return;
    }
    var row = fragment(frame.html);
    if (frame.dialog === dialogId) row.classList.add("current");
    var unreadBefore = old ? Number(old.dataset.unread || 0) : 0;
    var badge = row.querySelector(".badge");
    row.dataset.unread = badge ? badge.textContent : "0";
    if (old) old.remove();
    placeRow(row);
    updateCount();
    if (frame.dialog !== dialogId && Number(row.dataset.unread) > unreadBefore) notifyNew();
  }

  // --- the open dialog ------------------------------------------------------------

  function onMessage(frame) {
    var message = frame.message;
    if (!transcript || message.dialog !== dialogId) return;
    if (transcript.querySelector('.msg[data-id="' + message.id + '"]')) return;
    var node = fragment(frame.html);
    var pending = message.client_id &&
      transcript.querySelector('.msg-pending[data-client-id="' + CSS.escape(message.client_id) + '"]');
    if (pending) pending.replaceWith(node); else transcript.appendChild(node);
    if (message.author.kind === "visitor") showTyping(false);
    scrollDown();
  }

  function onDialog(frame) {
    var d = frame.dialog;
    if (d.id !== dialogId) return;
    var operators = d.operators.map(function (op) { return op.id; }).join(",");
    // Who may write and which buttons show depend on the state: the server renders it.
    if (d.status !== body.dataset.status || operators !== body.dataset.operators) {
      window.location.reload();
    }
  }

  function showTyping(on, name) {
    if (!typingLine) return;
    typingLine.hidden = !on;
    typingLine.textContent = on ? strings.typing.replace("%(name)s", name || strings.visitor) : "";
  }

  var typingTimer = null;
  function onTyping(frame) {
    if (frame.dialog !== dialogId) return;
    var who = frame.author.kind === "visitor" ? strings.visitor : frame.author.name;
    showTyping(frame.typing, who);
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
    if (frame.client_id) {
      outbox = outbox.filter(function (f) { return f.client_id !== frame.client_id; });
      var pending = transcript &&
        transcript.querySelector('.msg-pending[data-client-id="' + CSS.escape(frame.client_id) + '"]');
      if (pending) pending.classList.add("msg-failed");
    }
    if (box) {
      box.textContent = frame.detail;
      box.hidden = false;
      setTimeout(function () { box.hidden = true; }, 6000);
    }
  }

  // --- composer -------------------------------------------------------------------

  function newClientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function setupComposer() {
    var form = document.getElementById("composer");
    if (!form) return;
    var input = document.getElementById("composer-text");
    var lastTyping = 0;

    function submit() {
      var text = input.value.trim();
      if (!text) return;
      var frame = { type: "message", dialog: dialogId, client_id: newClientId(), text: text };
      var node = document.createElement("div");
      node.className = "msg msg-operator msg-pending";
      node.dataset.clientId = frame.client_id;
      var bubble = document.createElement("div");
      bubble.className = "bubble";
      var p = document.createElement("div");
      p.className = "msg-text";
      p.textContent = text;
      bubble.appendChild(p);
      node.appendChild(bubble);
      transcript.appendChild(node);
      scrollDown();
      outbox.push(frame);
      send(frame);
      send({ type: "typing", dialog: dialogId, typing: false });
      input.value = "";
      input.focus();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submit();
      }
    });
    input.addEventListener("input", function () {
      var now = Date.now();
      if (now - lastTyping > 2000) {
        lastTyping = now;
        send({ type: "typing", dialog: dialogId, typing: true });
      }
    });
    input.focus();
  }

  // --- the socket -----------------------------------------------------------------

  var handlers = {
    hello: function () {
      retries = 0;
      connStatus.hidden = true;
      if (dialogId) {
        send({ type: "watch", dialog: dialogId });
        send({ type: "resume", dialog: dialogId, after: lastShownId() });
        outbox.forEach(send);
      }
    },
    row: onRow,
    message: onMessage,
    dialog: onDialog,
    typing: onTyping,
    ack: onAck,
    error: onError,
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
    fragment: fragment,
    notify: notifyNew,
  };

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + body.dataset.socket);
    socket.onmessage = function (event) {
      var frame = JSON.parse(event.data);
      var handler = handlers[frame.type];
      if (handler) handler(frame);
      (listeners[frame.type] || []).forEach(function (listener) { listener(frame); });
    };
    socket.onclose = function (event) {
      if (event.code === 4401) {
        window.location.reload(); // the session ended: the page redirects to login
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
    });
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll("details[open]").forEach(function (d) { d.open = false; });
    }
  });
  setupComposer();
  scrollDown();
  // Let the other console scripts (loaded with defer, after this one) register first.
  document.addEventListener("DOMContentLoaded", connect);
})();
