/*
 * The chat frame (templates/chat/widget.html), served from the chat host inside an iframe
 * that static/chat/embed.js puts on the host page. docs/protocol.md describes the socket.
 *
 * Parent <-> frame messages (window.postMessage, objects with a "livechat" type):
 *   frame -> parent  {livechat:"ready", color, labels}      once loaded; parent answers init
 *   parent -> frame  {livechat:"init", token, page:{url,title}, referrer, utm, open}
 *   parent -> frame  {livechat:"page", url, title}          the host page changed (SPA)
 *   parent -> frame  {livechat:"open"} / {livechat:"close"} the panel was shown / hidden
 *   frame -> parent  {livechat:"token", token}              keep this visitor token
 *   frame -> parent  {livechat:"unread", count}             operator messages while hidden
 *   frame -> parent  {livechat:"close"}                     the visitor minimised the panel
 *
 * All text from the server is put in the page with textContent, never as HTML.
 * Opened directly (not in an iframe) the frame works on its own: handy for tests and links.
 */
(function () {
  "use strict";

  var body = document.body;
  var T = document.getElementById("lc-i18n").dataset;
  // Dates and times in the widget's language (the frame's <html lang>), not the browser's.
  var PAGE_LOCALE = document.documentElement.lang || [];
  var COLOR_RE = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
  var PERMANENT_ERRORS = { invalid: 1, empty: 1, too_long: 1, too_large: 1 };
  var TYPING_EVERY_MS = 2000;
  var TYPING_IDLE_MS = 3000;
  // Typing preview (docs/protocol.md, client typing): the draft at most every 300 ms, and
  // no more of it than the server keeps.
  var PREVIEW_EVERY_MS = 300;
  var PREVIEW_MAX_CHARS = 1000;
  var OPERATOR_TYPING_TIMEOUT_MS = 8000;
  var RESEND_AFTER_MS = 10000;
  var BACKOFF_MIN_MS = 500;
  var BACKOFF_MAX_MS = 15000;

  var cfg = {
    key: body.dataset.site,
    wsPath: body.dataset.wsPath,
    color: COLOR_RE.test(body.dataset.color || "") ? body.dataset.color : "#2563eb",
    maxLength: parseInt(body.dataset.maxLength, 10) || 4000,
    frameMaxBytes: 32768,
  };
  var standalone = window.parent === window;

  function $(id) { return document.getElementById(id); }
  var ui = {
    panel: $("lc-panel"),
    title: $("lc-title"),
    avatar: $("lc-avatar"),
    agent: $("lc-agent"),
    operator: $("lc-operator"),
    presence: $("lc-presence"),
    presenceText: $("lc-presence-text"),
    close: $("lc-close"),
    status: $("lc-status"),
    statusText: $("lc-status-text"),
    scroller: $("lc-body"),
    list: $("lc-messages"),
    offline: $("lc-offline"),
    typing: $("lc-typing"),
    typingText: $("lc-typing-text"),
    form: $("lc-composer"),
    error: $("lc-error"),
    input: $("lc-input"),
    send: $("lc-send"),
    hint: $("lc-hint"),
    hintText: $("lc-hint-text"),
    counter: $("lc-counter"),
  };
  var defaultHint = ui.hintText.textContent;

  var state = {
    initialised: false,
    readUpTo: 0, // an operator has seen the visitor's messages up to this id
    parentOrigin: null,
    token: "",
    page: null,
    referrer: "",
    utm: {},
    open: standalone,
    ws: null,
    ready: false, // hello received on the current socket
    stopped: false, // the server refused us for good (unknown site, blocked IP): stop trying
    attempt: 0,
    everConnected: false,
    reconnectTimer: null,
    connectingTimer: null,
    lastId: 0, // highest stored message id shown
    // The resume cursor: the end of the last replay. Not lastId: acks and live messages
    // can pass a message whose live event was lost (docs/protocol.md, Resume).
    resumeAfter: 0,
    shown: Object.create(null), // id -> element
    outbox: [], // [{clientId, text, el, sentAt, tries}] in the order written
    dialog: null,
    operatorsOnline: true,
    replaying: false,
    firstReplayDone: false,
    unread: 0,
    typingSent: false,
    typingSentAt: 0,
    typingIdleTimer: null,
    typingPreview: false, // hello.site.typing_preview: the draft may leave the browser
    previewTimer: null, // the pending (trailing) draft frame
    operatorTypingTimer: null,
    errorTimer: null,
  };

  // --- colours ------------------------------------------------------------------------

  function applyColor(color) {
    var root = document.documentElement;
    root.style.setProperty("--lc-color", color);
    var hex = color.slice(1);
    if (hex.length === 3) hex = hex.replace(/./g, "$&$&");
    var rgb = [0, 2, 4].map(function (i) { return parseInt(hex.substr(i, 2), 16) / 255; });
    var lin = rgb.map(function (c) { return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); });
    var luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
    root.style.setProperty("--lc-on-color", luminance > 0.45 ? "#111827" : "#ffffff");
  }

  // --- parent page --------------------------------------------------------------------

  function toParent(message) {
    if (standalone) return;
    window.parent.postMessage(message, state.parentOrigin || "*");
  }

  function onParentMessage(event) {
    if (standalone || event.source !== window.parent) return;
    if (state.parentOrigin && event.origin !== state.parentOrigin) return;
    var data = event.data;
    if (!data || typeof data !== "object" || typeof data.livechat !== "string") return;
    switch (data.livechat) {
      case "init":
        if (state.initialised) break;
        state.parentOrigin = event.origin;
        init({
          token: typeof data.token === "string" ? data.token : "",
          page: pageOf(data.page),
          referrer: typeof data.referrer === "string" ? data.referrer : "",
          utm: data.utm && typeof data.utm === "object" ? data.utm : {},
          open: !!data.open,
        });
        break;
      case "page":
        if (!state.initialised) break;
        state.page = pageOf(data);
        sendPage();
        break;
      case "open":
        setVisible(true);
        break;
      case "close":
        setVisible(false);
        break;
    }
  }

  function pageOf(data) {
    if (!data || typeof data !== "object" || typeof data.url !== "string") return null;
    return { url: data.url, title: typeof data.title === "string" ? data.title : "" };
  }

  function init(options) {
    state.initialised = true;
    state.token = options.token;
    state.page = options.page;
    state.referrer = options.referrer;
    state.utm = options.utm;
    state.open = options.open;
    connect();
  }

  function setVisible(open) {
    state.open = open;
    if (open) {
      clearUnread();
      scrollToBottom();
      if (window.matchMedia && window.matchMedia("(pointer: fine)").matches) {
        ui.input.focus({ preventScroll: true });
      }
    }
  }

  function isSeen() {
    return state.open && !document.hidden;
  }

  function clearUnread() {
    if (state.unread) {
      state.unread = 0;
      toParent({ livechat: "unread", count: 0 });
    }
  }

  // --- socket -------------------------------------------------------------------------

  function socketUrl() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var url = scheme + location.host + cfg.wsPath;
    if (state.token) url += "?token=" + encodeURIComponent(state.token);
    return url;
  }

  function connect() {
    clearTimeout(state.reconnectTimer);
    if (state.stopped || state.ws) return;
    if (!state.everConnected) {
      // Only show "Connecting…" when it takes a noticeable time.
      clearTimeout(state.connectingTimer);
      state.connectingTimer = setTimeout(function () {
        if (!state.ready) showStatus(T.connecting);
      }, 1000);
    }
    var ws;
    try {
      ws = new WebSocket(socketUrl());
    } catch (e) {
      scheduleReconnect();
      return;
    }
    state.ws = ws;
    ws.onmessage = function (event) {
      if (state.ws === ws) onFrame(event.data);
    };
    ws.onclose = function (event) {
      if (state.ws === ws) onClose(event);
    };
  }

  function send(frame) {
    if (!state.ready || !state.ws || state.ws.readyState !== 1) return false;
    state.ws.send(JSON.stringify(frame));
    return true;
  }

  function onClose(event) {
    state.ws = null;
    state.ready = false;
    state.typingSent = false;
    clearTimeout(state.previewTimer);
    hideOperatorTyping();
    // 4404: unknown site; 4403: this visitor's IP is blocked; 4003: this page may not show
    // the site's chat (docs/protocol.md, Endpoint). None changes by retrying.
    if (event.code === 4404 || event.code === 4403 || event.code === 4003) {
      becomeUnavailable(event.code === 4403 ? T.blocked : T.unavailable, event.code);
      return;
    }
    if (event.code === 4410) forgetConversation();
    scheduleReconnect();
  }

  // The chat cannot be used from here: every form goes (the composer here, the leads'
  // forms in widget-leads.js on the "unavailable" event) and one neutral line stays. A
  // blocked visitor reads the same as any refused one: nothing about who or why.
  function becomeUnavailable(text, code) {
    state.stopped = true;
    clearTimeout(state.reconnectTimer);
    hideStatus();
    hideError();
    hideOperatorTyping();
    ui.input.disabled = true;
    updateSendButton();
    ui.form.hidden = true;
    ui.presence.hidden = true;
    ui.agent.hidden = true;
    ui.offline.hidden = true;
    Object.keys(attach.uploads).forEach(dropUpload);
    if (!$("lc-unavailable")) {
      var notice = document.createElement("li");
      notice.className = "lc-offline lc-unavailable";
      notice.id = "lc-unavailable";
      notice.setAttribute("role", "status");
      var strong = document.createElement("strong");
      strong.textContent = text;
      notice.appendChild(strong);
      ui.list.appendChild(notice);
    }
    scrollToBottom();
    emit("unavailable", { code: code });
  }

  // 4410: the site erased this visitor's personal data (docs/protocol.md, Close codes).
  // Nothing of the old conversation stays on screen; the reconnect starts a new visitor.
  function forgetConversation() {
    Array.prototype.slice.call(ui.list.children).forEach(function (node) {
      if (!node.classList.contains("lc-greeting")) node.remove();
    });
    state.token = "";
    state.lastId = 0;
    state.resumeAfter = 0;
    state.readUpTo = 0;
    state.shown = Object.create(null);
    state.outbox = [];
    state.firstReplayDone = false;
    state.attempt = 0;
    setDialog(null);
    clearUnread();
    updateCounter();
  }

  function scheduleReconnect() {
    clearTimeout(state.reconnectTimer);
    if (state.stopped) return;
    // Exponential backoff with jitter: 0.5 s doubling up to 15 s, each wait picked at
    // random in [half, full] so that thousands of widgets do not reconnect in step.
    var ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, state.attempt));
    var delay = ceiling / 2 + Math.random() * (ceiling / 2);
    state.attempt += 1;
    showStatus(state.everConnected ? T.reconnecting : T.connecting);
    state.reconnectTimer = setTimeout(connect, delay);
  }

  function reconnectNow() {
    if (state.initialised && !state.ws && !state.stopped) {
      state.attempt = 0;
      connect();
    }
  }

  function showStatus(text, permanent) {
    ui.statusText.textContent = text;
    ui.status.hidden = false;
    ui.status.classList.toggle("lc-status-error", !!permanent);
  }

  function hideStatus() {
    clearTimeout(state.connectingTimer);
    ui.status.hidden = true;
  }

  function onFrame(raw) {
    var frame;
    try {
      frame = JSON.parse(raw);
    } catch (e) {
      return;
    }
    if (!frame || typeof frame !== "object") return;
    dispatch(frame);
    emit(frame.type, frame);
  }

  function dispatch(frame) {
    switch (frame.type) {
      case "hello": return onHello(frame);
      case "message": return onMessage(frame.message);
      case "ack": return onAck(frame);
      case "resumed": return onResumed(frame);
      case "delivery": return showStatus(T.reconnecting); // live updates paused server-side
      case "dialog": return setDialog(frame.dialog);
      case "typing": return onTyping(frame);
      case "error": return onError(frame);
      case "presence": return setOnline(frame.operators_online !== false);
      case "read": return setRead(frame.up_to);
    }
  }

  function onHello(frame) {
    state.ready = true;
    state.attempt = 0;
    state.everConnected = true;
    hideStatus();
    var visitor = frame.visitor || {};
    if (typeof visitor.token === "string" && visitor.token !== state.token) {
      state.token = visitor.token;
      if (standalone) {
        try { localStorage.setItem("livechat:" + cfg.key + ":token", state.token); } catch (e) { /* ignore */ }
      } else {
        toParent({ livechat: "token", token: state.token });
      }
    }
    var limits = frame.limits || {};
    if (typeof limits.message_max_length === "number") {
      cfg.maxLength = limits.message_max_length;
      ui.input.maxLength = cfg.maxLength;
    }
    if (typeof limits.frame_max_bytes === "number") cfg.frameMaxBytes = limits.frame_max_bytes;
    setOnline(frame.operators_online !== false);
    state.typingPreview = !!(frame.site && frame.site.typing_preview === true);
    setDialog(frame.dialog || null);
    // Everything after the last message shown (all of it after a page load), then the
    // messages that were never acknowledged, with their original client_id.
    state.replaying = true;
    send({ type: "resume", after: state.resumeAfter });
    sendPage();
    state.outbox.forEach(function (entry) { entry.tries = 0; transmit(entry); });
    updateCounter();
  }

  function onResumed(frame) {
    if (typeof frame.last_id === "number") state.resumeAfter = Math.max(state.resumeAfter, frame.last_id);
    state.replaying = false;
    state.firstReplayDone = true;
    showRead();
    scrollToBottom();
  }

  // "Read" under the visitor's last message an operator has seen.
  function setRead(upTo) {
    if (typeof upTo !== "number") return;
    state.readUpTo = Math.max(state.readUpTo, upTo);
    showRead();
  }

  function showRead() {
    var old = ui.list.querySelector(".lc-read");
    if (old) old.remove();
    var own = ui.list.querySelectorAll(".lc-msg-visitor[data-id]");
    for (var i = own.length - 1; i >= 0; i--) {
      if (Number(own[i].dataset.id) <= state.readUpTo) {
        var mark = document.createElement("span");
        mark.className = "lc-read";
        mark.textContent = "✓✓ " + T.read;
        own[i].appendChild(mark);
        return;
      }
    }
  }

  function sendPage() {
    if (!state.page) return;
    send({
      type: "page",
      url: state.page.url,
      title: state.page.title,
      referrer: state.referrer,
      utm: state.utm,
    });
  }

  // --- dialog and presence ------------------------------------------------------------

  function setOnline(online) {
    state.operatorsOnline = online;
    ui.offline.hidden = online;
    ui.presence.classList.toggle("lc-offline-now", !online);
    ui.presenceText.textContent = online ? T.online : T.offline;
  }

  function setDialog(dialog) {
    if (dialog !== null && (typeof dialog !== "object" || typeof dialog.id !== "number")) return;
    state.dialog = dialog;
    if (dialog) setRead(dialog.read_up_to);
    var closed = dialog && dialog.status === "closed";
    var operators = dialog && !closed && Array.isArray(dialog.operators) ? dialog.operators : [];
    var names = operators
      .map(function (op) { return op && typeof op.name === "string" ? op.name : ""; })
      .filter(Boolean);
    ui.operator.textContent = names.join(", ");
    ui.agent.hidden = !names.length;
    ui.presence.hidden = !!names.length;
    ui.avatar.dataset.letter = names.length ? Array.from(names[0])[0].toUpperCase() : "";
    ui.avatar.classList.toggle("lc-avatar-person", !!names.length);
    ui.hintText.textContent = closed ? T.newDialog : defaultHint;
    ui.hint.classList.toggle("lc-hint-ended", !!closed);
    if (closed) hideOperatorTyping();
  }

  // --- messages -----------------------------------------------------------------------

  function isMessage(m) {
    return m && typeof m === "object" && typeof m.id === "number" && typeof m.text === "string"
      && m.author && typeof m.author === "object";
  }

  function findOutbox(clientId) {
    if (typeof clientId !== "string") return null;
    for (var i = 0; i < state.outbox.length; i++) {
      if (state.outbox[i].clientId === clientId) return state.outbox[i];
    }
    return null;
  }

  function dropOutbox(entry) {
    var i = state.outbox.indexOf(entry);
    if (i >= 0) state.outbox.splice(i, 1);
  }

  function onMessage(m) {
    if (!isMessage(m)) return;
    var existing = state.shown[m.id];
    if (existing) {
      // Seen already (an ack came first, or a replay overlaps): only fill in the time.
      if (!existing.dataset.sentAt && m.sent_at) setTime(existing, m.sent_at);
      return;
    }
    var wasNearBottom = nearBottom();
    var kind = m.author.kind;
    if (kind === "visitor") dropUpload(m.client_id); // its pending bubble gives way to this
    var entry = kind === "visitor" ? findOutbox(m.client_id) : null;
    if (entry) {
      confirm(entry, m.id, m.sent_at);
    } else {
      var el = renderMessage(m);
      placeStored(el, m.id);
      state.shown[m.id] = el;
      state.lastId = Math.max(state.lastId, m.id);
    }
    noteDialogOf(m.dialog);
    if (kind === "operator") {
      hideOperatorTyping();
      if (state.firstReplayDone && !isSeen()) {
        state.unread += 1;
        toParent({ livechat: "unread", count: state.unread });
      }
    }
    if (wasNearBottom || kind === "visitor" || state.replaying) scrollToBottom();
  }

  function noteDialogOf(dialogId, evenWhileReplaying) {
    // A message of a dialog newer than the one we know: the visitor's first message
    // opened it (the server sends no "dialog" frame for that), so it is new, nobody in it.
    if (typeof dialogId !== "number" || (state.replaying && !evenWhileReplaying)) return;
    if (!state.dialog || (state.dialog.status === "closed" && dialogId > state.dialog.id)) {
      setDialog({ id: dialogId, status: "new", operators: [] });
    }
  }

  function onAck(frame) {
    var entry = findOutbox(frame.client_id);
    if (!entry || typeof frame.id !== "number") return;
    if (state.shown[frame.id]) {
      // The stored copy is already on screen (from a replay): drop the local one.
      dropOutbox(entry);
      entry.el.remove();
      return;
    }
    confirm(entry, frame.id, null);
    noteDialogOf(frame.dialog, true);
  }

  function confirm(entry, id, sentAt) {
    dropOutbox(entry);
    var el = entry.el;
    el.classList.remove("lc-pending", "lc-local");
    el.dataset.id = String(id);
    el.removeAttribute("aria-busy");
    setTime(el, sentAt || new Date(entry.createdAt).toISOString(), !sentAt);
    state.shown[id] = el;
    state.lastId = Math.max(state.lastId, id);
    placeStored(el, id);
  }

  function placeStored(el, id) {
    // Stored messages are ordered by id; local (pending or failed) ones stay below them.
    var ref = null;
    for (var node = ui.list.lastElementChild; node; node = node.previousElementSibling) {
      if (node === el) continue;
      if (node.classList.contains("lc-local")) { ref = node; continue; }
      if (node.dataset.id && Number(node.dataset.id) > id) { ref = node; continue; }
      break;
    }
    if (el.nextElementSibling !== ref || el.parentNode !== ui.list) ui.list.insertBefore(el, ref);
    regroup(el);
    if (el.nextElementSibling) regroup(el.nextElementSibling);
  }

  function authorKey(el) {
    if (!el || !el.classList.contains("lc-msg") || el.classList.contains("lc-msg-system")) return "";
    if (el.classList.contains("lc-msg-visitor")) return "visitor";
    var name = el.querySelector(".lc-author");
    return "operator:" + (name ? name.textContent : "");
  }

  function regroup(el) {
    // A run of messages from the same author sits closer; an operator's name shows once.
    var key = authorKey(el);
    el.classList.toggle("lc-cont", !!key && key === authorKey(el.previousElementSibling));
  }

  // What the visitor reads of an error frame: words of the widget's language, never the
  // server's detail (English, meant for developers).
  function errorText(code) {
    if (code === "too_long") return T.tooLong.replace("{max}", cfg.maxLength);
    if (code === "unavailable") return T.resending;
    return T.notSentRetry;
  }

  function onError(frame) {
    var detail = errorText(frame.code);
    var entry = findOutbox(frame.client_id);
    if (frame.code === "rate_limited") return onRateLimited(entry, frame.retry_after);
    if (entry && frame.code === "unavailable") {
      // Nothing was stored: send it again in 1-2 s, for as long as the outage lasts.
      entry.tries = 0;
      entry.sentAt = Date.now() - RESEND_AFTER_MS + 1000 + Math.random() * 1000;
    }
    if (entry && PERMANENT_ERRORS[frame.code]) {
      dropOutbox(entry);
      entry.el.classList.remove("lc-pending");
      entry.el.classList.add("lc-failed");
      entry.el.removeAttribute("aria-busy");
      var meta = entry.el.querySelector(".lc-meta");
      meta.textContent = T.notSent;
    }
    showError(detail);
  }

  function onRateLimited(entry, retryAfter) {
    // Not sent yet: the message stays in the outbox, noted, and goes again when the
    // server's window has passed (resendStale leaves it alone meanwhile: sentAt is 0).
    var seconds = typeof retryAfter === "number" && retryAfter > 0 ? Math.min(retryAfter, 3600) : 10;
    showError(T.rateLimited);
    if (!entry) return;
    entry.sentAt = 0;
    entry.el.querySelector(".lc-meta").textContent = T.rateLimited;
    clearTimeout(entry.retryTimer);
    entry.retryTimer = setTimeout(function () {
      if (state.outbox.indexOf(entry) < 0) return;
      entry.el.querySelector(".lc-meta").textContent = T.sending;
      entry.tries = 0;
      transmit(entry);
    }, seconds * 1000);
  }

  function showError(text) {
    ui.error.textContent = text;
    ui.error.hidden = false;
    clearTimeout(state.errorTimer);
    state.errorTimer = setTimeout(hideError, 8000);
  }

  function hideError() {
    ui.error.hidden = true;
  }

  // --- rendering ----------------------------------------------------------------------

  var URL_RE = /\bhttps?:\/\/[^\s<>"']+/gi;

  function appendText(parent, text) {
    // Plain text with clickable http(s) links; nothing is parsed as HTML.
    var last = 0;
    text.replace(URL_RE, function (url, offset) {
      var trimmed = url.replace(/[.,;:!?)\]]+$/, "");
      if (offset > last) parent.appendChild(document.createTextNode(text.slice(last, offset)));
      var a = document.createElement("a");
      a.href = trimmed;
      a.textContent = trimmed;
      a.target = "_blank";
      a.rel = "noopener noreferrer nofollow";
      parent.appendChild(a);
      last = offset + trimmed.length;
      return url;
    });
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function renderMessage(m) {
    var kind = m.author.kind === "operator" || m.author.kind === "system" ? m.author.kind : "visitor";
    var li = document.createElement("li");
    li.className = "lc-msg lc-msg-" + kind;
    if (typeof m.id === "number") li.dataset.id = String(m.id);
    if (kind === "system") {
      var line = document.createElement("span");
      line.className = "lc-system-text";
      line.textContent = m.text;
      li.appendChild(line);
      var sysMeta = document.createElement("time");
      sysMeta.className = "lc-meta";
      li.appendChild(sysMeta);
      if (m.sent_at) setTime(li, m.sent_at);
      return li;
    }
    if (kind === "operator" && typeof m.author.name === "string" && m.author.name) {
      var author = document.createElement("div");
      author.className = "lc-author";
      author.textContent = m.author.name;
      li.appendChild(author);
    }
    if (m.attachment && typeof m.attachment === "object") li.appendChild(renderAttachment(m.attachment));
    if (m.text || !m.attachment) {
      var bubble = document.createElement("div");
      bubble.className = "lc-bubble";
      appendText(bubble, m.text);
      li.appendChild(bubble);
    }
    var meta = document.createElement("time");
    meta.className = "lc-meta";
    li.appendChild(meta);
    if (m.sent_at) setTime(li, m.sent_at);
    return li;
  }

  function setTime(li, iso, local) {
    var meta = li.querySelector(".lc-meta");
    var date = new Date(iso);
    if (!meta || isNaN(date.getTime())) return;
    if (!local) li.dataset.sentAt = iso;
    meta.dateTime = date.toISOString();
    meta.textContent = formatTime(date);
    meta.title = date.toLocaleString(PAGE_LOCALE);
  }

  function formatTime(date) {
    var time = date.toLocaleTimeString(PAGE_LOCALE, { hour: "2-digit", minute: "2-digit" });
    var today = new Date();
    if (date.toDateString() === today.toDateString()) return time;
    var yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
    if (date.toDateString() === yesterday.toDateString()) return T.yesterday + ", " + time;
    var sameYear = date.getFullYear() === today.getFullYear();
    return date.toLocaleDateString(PAGE_LOCALE, sameYear ? { day: "numeric", month: "short" }
      : { day: "numeric", month: "short", year: "numeric" }) + ", " + time;
  }

  function nearBottom() {
    var s = ui.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 80;
  }

  function scrollToBottom() {
    ui.scroller.scrollTop = ui.scroller.scrollHeight;
  }

  // --- composing and sending ----------------------------------------------------------

  function newClientId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function byteLength(text) {
    return new TextEncoder().encode(text).length;
  }

  function submit() {
    var text = ui.input.value.trim();
    if (!text || state.stopped) return;
    var clientId = newClientId();
    if (Array.from(text).length > cfg.maxLength
        || byteLength(JSON.stringify({ type: "message", client_id: clientId, text: text })) > cfg.frameMaxBytes) {
      showError(T.tooLong.replace("{max}", String(cfg.maxLength)));
      return;
    }
    hideError();
    var el = renderMessage({ author: { kind: "visitor" }, text: text });
    el.classList.add("lc-pending", "lc-local");
    el.setAttribute("aria-busy", "true");
    el.querySelector(".lc-meta").textContent = T.sending;
    ui.list.appendChild(el);
    regroup(el);
    var entry = { clientId: clientId, text: text, el: el, createdAt: Date.now(), sentAt: 0, tries: 0 };
    state.outbox.push(entry);
    ui.input.value = "";
    onInputChanged();
    stopTyping();
    transmit(entry);
    scrollToBottom();
  }

  function transmit(entry) {
    if (send({ type: "message", client_id: entry.clientId, text: entry.text })) {
      entry.sentAt = Date.now();
      entry.tries += 1;
    }
  }

  function resendStale() {
    // At-least-once: an unanswered message is sent again with the same client_id; the
    // server stores it once and acks every copy with the same id. The server answers the
    // frames of an open socket in order, so a copy mostly queues behind a slow first one
    // (and is announced to every console again): wait 10 s, then twice as long each time.
    if (!state.ready) return;
    var now = Date.now();
    state.outbox.forEach(function (entry) {
      var wait = RESEND_AFTER_MS * Math.pow(2, Math.max(0, entry.tries - 1));
      if (entry.sentAt && now - entry.sentAt > wait && entry.tries < 5) transmit(entry);
    });
  }

  function sendTyping(typing, text) {
    var frame = { type: "typing", typing: typing };
    if (typing && typeof text === "string") frame.text = text;
    if (send(frame)) {
      state.typingSent = typing;
      state.typingSentAt = Date.now();
    }
  }

  function stopTyping() {
    clearTimeout(state.typingIdleTimer);
    clearTimeout(state.previewTimer);
    state.previewTimer = null;
    if (state.typingSent) sendTyping(false);
  }

  // The draft goes out only when the site shows it and an operator is connected to the
  // dialog (the server checks both again): otherwise nobody would see it.
  function previewing() {
    var d = state.dialog;
    return state.typingPreview && !!d && d.status !== "closed"
      && Array.isArray(d.operators) && d.operators.length > 0;
  }

  function sendDraft() {
    state.previewTimer = null;
    if (!ui.input.value.trim()) return;
    sendTyping(true, Array.from(ui.input.value).slice(0, PREVIEW_MAX_CHARS).join(""));
  }

  function onTypingInput() {
    if (!ui.input.value.trim()) {
      stopTyping();
      return;
    }
    if (previewing()) {
      // At most one draft per PREVIEW_EVERY_MS; the last keystrokes go in a trailing frame.
      var wait = state.typingSentAt + PREVIEW_EVERY_MS - Date.now();
      if (!state.typingSent || wait <= 0) {
        clearTimeout(state.previewTimer);
        sendDraft();
      } else if (!state.previewTimer) {
        state.previewTimer = setTimeout(sendDraft, wait);
      }
    } else if (!state.typingSent || Date.now() - state.typingSentAt >= TYPING_EVERY_MS) {
      sendTyping(true);
    }
    clearTimeout(state.typingIdleTimer);
    state.typingIdleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function onTyping(frame) {
    var author = frame.author || {};
    if (author.kind !== "operator") return;
    if (!frame.typing) return hideOperatorTyping();
    ui.typingText.textContent = typeof author.name === "string" && author.name
      ? T.typing.replace("{name}", author.name)
      : T.operatorTyping;
    ui.typing.hidden = false;
    clearTimeout(state.operatorTypingTimer);
    state.operatorTypingTimer = setTimeout(hideOperatorTyping, OPERATOR_TYPING_TIMEOUT_MS);
  }

  function hideOperatorTyping() {
    clearTimeout(state.operatorTypingTimer);
    ui.typing.hidden = true;
  }

  function updateSendButton() {
    ui.send.disabled = state.stopped || !ui.input.value.trim();
    if (attach.button) attach.button.disabled = state.stopped;
  }

  function updateCounter() {
    var length = Array.from(ui.input.value).length;
    var show = length >= cfg.maxLength * 0.8;
    ui.counter.hidden = !show;
    ui.counter.textContent = show ? length + " / " + cfg.maxLength : "";
    ui.counter.classList.toggle("lc-counter-full", length >= cfg.maxLength);
  }

  function autosize() {
    ui.input.style.height = "auto";
    ui.input.style.height = Math.min(ui.input.scrollHeight, 140) + "px";
  }

  function onInputChanged() {
    updateSendButton();
    updateCounter();
    autosize();
  }

  // --- attachments --------------------------------------------------------------------
  // Files go up over HTTP (multipart, the visitor token in a header), not the socket; the
  // stored message then arrives as an ordinary "message" frame and replaces the pending
  // bubble (matched by client_id). docs/protocol.md, Attachments.

  var attachCfg = (document.getElementById("lc-attach-config") || { dataset: {} }).dataset;
  var attach = {
    button: $("lc-attach"),
    input: $("lc-file"),
    url: attachCfg.url,
    maxBytes: parseInt(attachCfg.maxBytes, 10) || 0,
    uploads: Object.create(null), // client_id -> {el, file, caption, tries}
  };
  var THUMB_BOX = 240;

  var humanSize = window.humanSize; // static/chat/human-size.js

  function localUrl(url) {
    // Only our own paths ("/attachments/..."): never javascript: or another host.
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" ? url : null;
  }

  function fileBlock(name, size, href) {
    var block = document.createElement(href ? "a" : "div");
    block.className = "lc-att lc-att-file";
    if (href) {
      block.href = href;
      block.target = "_blank";
      block.rel = "noopener noreferrer";
      block.setAttribute("download", name);
    }
    var icon = document.createElement("span");
    icon.className = "lc-att-icon";
    icon.setAttribute("aria-hidden", "true");
    var name_ = document.createElement("span");
    name_.className = "lc-att-name";
    name_.textContent = name;
    var size_ = document.createElement("span");
    size_.className = "lc-att-size";
    size_.textContent = "· " + humanSize(size);
    block.append(icon, name_, size_);
    return block;
  }

  function renderAttachment(a) {
    var name = typeof a.name === "string" ? a.name : "file";
    var url = localUrl(a.url);
    var thumb = localUrl(a.thumbnail_url);
    if (!a.is_image || !thumb || !url) {
      return fileBlock(name, typeof a.size === "number" ? a.size : 0, url);
    }
    var link = document.createElement("a");
    link.className = "lc-att lc-att-image";
    link.href = url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.title = attachCfg.openImage || "";
    var img = document.createElement("img");
    img.src = thumb;
    img.alt = name;
    img.loading = "lazy";
    if (a.width > 0 && a.height > 0) {
      var scale = Math.min(1, THUMB_BOX / a.width, THUMB_BOX / a.height);
      img.width = Math.max(1, Math.round(a.width * scale));
      img.height = Math.max(1, Math.round(a.height * scale));
    }
    img.addEventListener("load", function () {
      if (nearBottom()) scrollToBottom();
    });
    link.appendChild(img);
    return link;
  }

  function dropUpload(clientId) {
    var entry = typeof clientId === "string" ? attach.uploads[clientId] : null;
    if (!entry) return;
    delete attach.uploads[clientId];
    entry.el.remove();
  }

  function startUpload(file) {
    if (state.stopped) return;
    if (attach.maxBytes && file.size > attach.maxBytes) {
      showError(attachCfg.tooBig || "");
      return;
    }
    hideError();
    var caption = ui.input.value.trim();
    if (Array.from(caption).length > cfg.maxLength) caption = "";
    if (caption) {
      ui.input.value = "";
      onInputChanged();
      stopTyping();
    }
    var clientId = newClientId();
    var li = document.createElement("li");
    li.className = "lc-msg lc-msg-visitor lc-pending lc-local lc-upload";
    li.setAttribute("aria-busy", "true");
    li.dataset.clientId = clientId;
    var block = fileBlock(file.name, file.size, null);
    var bar = document.createElement("div");
    bar.className = "lc-progress";
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "100");
    bar.appendChild(document.createElement("span"));
    block.appendChild(bar);
    li.appendChild(block);
    if (caption) {
      var bubble = document.createElement("div");
      bubble.className = "lc-bubble";
      appendText(bubble, caption);
      li.appendChild(bubble);
    }
    var meta = document.createElement("time");
    meta.className = "lc-meta";
    meta.textContent = attachCfg.uploading || T.sending;
    li.appendChild(meta);
    ui.list.appendChild(li);
    regroup(li);
    scrollToBottom();
    var entry = { clientId: clientId, el: li, file: file, caption: caption, tries: 0 };
    attach.uploads[clientId] = entry;
    sendUpload(entry);
  }

  function sendUpload(entry) {
    if (attach.uploads[entry.clientId] !== entry) return; // stored meanwhile
    if (!state.token) {
      // No hello yet, so no visitor token: try again shortly.
      setTimeout(function () { sendUpload(entry); }, 1000);
      return;
    }
    var form = new FormData();
    form.append("client_id", entry.clientId);
    form.append("text", entry.caption);
    form.append("file", entry.file, entry.file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", attach.url);
    xhr.setRequestHeader("X-Visitor-Token", state.token);
    xhr.upload.onprogress = function (event) {
      if (!event.lengthComputable) return;
      var percent = Math.round((event.loaded / event.total) * 100);
      var bar = entry.el.querySelector(".lc-progress");
      if (bar) {
        bar.firstChild.style.width = percent + "%";
        bar.setAttribute("aria-valuenow", String(percent));
      }
    };
    xhr.onload = function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { /* not our JSON */ }
      if (xhr.status === 200 && body && body.ack && typeof body.ack.id === "number") {
        if (state.shown[body.ack.id]) dropUpload(entry.clientId);
        else noteDialogOf(body.ack.dialog, true); // the message frame is on its way
        return;
      }
      if ((xhr.status >= 500 || xhr.status === 0) && entry.tries < 3) return retryUpload(entry);
      failUpload(entry, uploadErrorText(body));
    };
    xhr.onerror = function () {
      if (entry.tries < 3) retryUpload(entry);
      else failUpload(entry, attachCfg.failed);
    };
    entry.tries += 1;
    xhr.send(form);
  }

  function retryUpload(entry) {
    // Same client_id: a try that was stored after all is not stored twice.
    setTimeout(function () { sendUpload(entry); }, 1000 * entry.tries);
  }

  // The file's own refusals (too large, wrong type, damaged) are written for the visitor
  // in his language; anything else gets the widget's words.
  var FILE_ERRORS = {
    too_large: 1, image_too_large: 1, no_file: 1, empty_file: 1, bad_image: 1, type_not_allowed: 1,
  };
  function uploadErrorText(body) {
    if (body && FILE_ERRORS[body.code] && typeof body.detail === "string") return body.detail;
    if (body && body.code === "rate_limited") return T.rateLimited;
    return attachCfg.failed;
  }

  function failUpload(entry, detail) {
    delete attach.uploads[entry.clientId];
    var el = entry.el;
    el.classList.remove("lc-pending");
    el.classList.add("lc-failed");
    el.removeAttribute("aria-busy");
    var bar = el.querySelector(".lc-progress");
    if (bar) bar.remove();
    el.querySelector(".lc-meta").textContent = T.notSent;
    showError(detail || "");
  }

  function bindAttachments() {
    if (!attach.button || !attach.input || !attach.url) {
      if (attach.button) attach.button.hidden = true;
      return;
    }
    attach.button.addEventListener("click", function () { attach.input.click(); });
    attach.input.addEventListener("change", function () {
      Array.prototype.forEach.call(attach.input.files, startUpload);
      attach.input.value = "";
    });
    ui.input.addEventListener("paste", function (event) {
      var files = event.clipboardData && event.clipboardData.files;
      if (files && files.length) {
        event.preventDefault();
        Array.prototype.forEach.call(files, startUpload);
      }
    });
  }

  // --- wiring -------------------------------------------------------------------------

  function bind() {
    ui.form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit();
      ui.input.focus();
    });
    ui.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.ctrlKey && !event.altKey
          && !event.metaKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        submit();
      }
    });
    ui.input.addEventListener("input", function () {
      onInputChanged();
      onTypingInput();
      if (!ui.error.hidden) hideError();
    });
    ui.close.addEventListener("click", function () {
      stopTyping();
      toParent({ livechat: "close" });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") toParent({ livechat: "close" });
    });
    document.addEventListener("visibilitychange", function () {
      if (isSeen()) clearUnread();
      if (!document.hidden) reconnectNow();
    });
    window.addEventListener("online", reconnectNow);
    window.addEventListener("message", onParentMessage);
    setInterval(resendStale, 3000);
  }

  // --- extensions -----------------------------------------------------------------------
  // Other frame scripts (static/leads/widget-leads.js) hook in here: LiveWidget.on(type, fn)
  // hears every server frame of that type after the widget has handled it.

  var listeners = Object.create(null);
  function emit(type, frame) {
    (listeners[type] || []).forEach(function (listener) { listener(frame); });
  }
  window.LiveWidget = {
    on: function (type, listener) { (listeners[type] = listeners[type] || []).push(listener); },
    token: function () { return state.token; },
    page: function () { return state.page; },
    scrollToBottom: scrollToBottom,
  };

  applyColor(cfg.color);
  ui.input.maxLength = cfg.maxLength;
  bind();
  bindAttachments();
  onInputChanged();

  if (standalone) {
    document.documentElement.classList.add("lc-standalone");
    ui.close.hidden = true;
    var saved = "";
    try { saved = localStorage.getItem("livechat:" + cfg.key + ":token") || ""; } catch (e) { /* ignore */ }
    init({ token: saved, page: null, referrer: "", utm: {}, open: true });
  } else {
    toParent({
      livechat: "ready",
      color: cfg.color,
      labels: { open: T.launcherOpen, close: T.launcherClose, title: ui.title.textContent },
    });
  }
})();
