/* The visitor's session over the socket (docs/protocol.md, Resume): hello, the replay of
 * what was missed and the outbox sent again, the host page reported, and the close codes
 * that end or reset the conversation. */

import { cfg, ui, standalone, $, scrollToBottom } from "./frame.js";
import { state } from "./state.js";
import { T } from "./strings.js";
import { connect, send, scheduleReconnect, reconnectPlanned } from "./socket.js";
import { toParent, clearUnread } from "./host.js";
import { setOnline, setDialog } from "./header.js";
import { transmit } from "./outbox.js";
import { updateCounter, updateSendButton } from "./composer.js";
import { hideStatus, hideError } from "./notices.js";
import { hideOperatorTyping } from "./typing.js";
import { dropAllUploads } from "./uploads.js";
import { showRead } from "./render.js";
import { emit } from "./extensions.js";

/** Starts the conversation: {token, page, referrer, utm, open} from the host page (or the
 * frame's own storage when standalone). */
export function start(options) {
  state.initialised = true;
  state.token = options.token;
  state.page = options.page;
  state.referrer = options.referrer;
  state.utm = options.utm;
  state.pages = options.pages || 0;
  state.open = options.open;
  connect();
}

export function onHello(frame) {
  state.ready = true;
  state.attempt = 0;
  state.plannedInARow = 0;
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

export function onResumed(frame) {
  if (typeof frame.last_id === "number") state.resumeAfter = Math.max(state.resumeAfter, frame.last_id);
  state.replaying = false;
  state.firstReplayDone = true;
  showRead();
  scrollToBottom();
}

/** Tells the server which host page the visitor is on (once known). */
export function sendPage() {
  if (!state.page) return;
  send({
    type: "page",
    url: state.page.url,
    title: state.page.title,
    referrer: state.referrer,
    utm: state.utm,
  });
}

export function onClose(event) {
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
  // 4012: the server restarts (or lost live events): reconnect quietly and resume.
  if (event.code === 4012) return reconnectPlanned();
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
  dropAllUploads();
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
