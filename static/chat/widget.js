/*
 * The chat frame (templates/chat/widget.html), served from the chat host inside an iframe
 * that static/chat/embed.js puts on the host page. docs/protocol.md describes the socket.
 *
 * Parent <-> frame messages (window.postMessage, objects with a "livechat" type):
 *   frame -> parent  {livechat:"ready", color, labels}      once loaded; parent answers init
 *   parent -> frame  {livechat:"init", token, page:{url,title}, referrer, utm, pages, open}
 *   parent -> frame  {livechat:"page", url, title, pages}   the host page changed (SPA)
 *   parent -> frame  {livechat:"open"} / {livechat:"close"} the panel was shown / hidden
 *   frame -> parent  {livechat:"token", token}              keep this visitor token
 *   frame -> parent  {livechat:"unread", count}             operator messages while hidden
 *   frame -> parent  {livechat:"close"}                     the visitor minimised the panel
 *   frame -> parent  {livechat:"open"}                      open the panel (an invitation)
 *   frame -> parent  {livechat:"bubble", author, text, close} a message over the launcher
 *   frame -> parent  {livechat:"bubble_hide"}               remove it
 *   parent -> frame  {livechat:"bubble_opened"} / {livechat:"bubble_closed"}  clicked / closed
 * (pages: pages seen in this visit of the host tab; bubble: static/engage/widget-invitations.js)
 *
 * All text from the server is put in the page with textContent, never as HTML.
 * Opened directly (not in an iframe) the frame works on its own: handy for tests and links.
 *
 * This entry module wires the modules of static/chat/widget/, one job each:
 *   frame.js    the page: settings, elements, colour, scrolling
 *   strings.js  the words, rendered by the server in the page's language
 *   state.js    what the widget knows at this moment
 *   host.js     the host page (postMessage above), unread count
 *   socket.js   the WebSocket: connect, send, reconnect with backoff
 *   session.js  hello, resume, the host page reported, close codes
 *   outbox.js   the visitor's messages until acked: resend, errors, rate limits
 *   messages.js stored messages arriving, live or replayed
 *   render.js   the list: a message, its time and place, runs of one author, "Read"
 *   header.js   presence, the dialog and its operators
 *   typing.js   typing, both ways
 *   composer.js the input and sending
 *   uploads.js  attachments going up; attachment-blocks.js how one looks, file sizes
 *   notices.js  the status and error lines
 *   extensions.js  window.LiveWidget, for static/leads/widget-leads.js
 * Served as they are (no build step): relative imports, from the same static folder.
 */

import { cfg, ui, standalone, applyColor } from "./widget/frame.js";
import { T } from "./widget/strings.js";
import { listen, reconnectNow } from "./widget/socket.js";
import { start, onHello, onResumed, onClose, sendPage } from "./widget/session.js";
import { toParent, listenToHost, isSeen, clearUnread } from "./widget/host.js";
import { onMessage } from "./widget/messages.js";
import { onAck, onError, resendStale } from "./widget/outbox.js";
import { setOnline, setDialog } from "./widget/header.js";
import { setRead } from "./widget/render.js";
import { onTyping, stopTyping } from "./widget/typing.js";
import { showStatus } from "./widget/notices.js";
import { bindComposer, onInputChanged } from "./widget/composer.js";
import { bindAttachments } from "./widget/uploads.js";
import { emit, exposeApi } from "./widget/extensions.js";

function dispatch(frame) {
  switch (frame.type) {
    case "hello": return onHello(frame);
    case "message": return onMessage(frame.message);
    case "ack": return onAck(frame);
    case "resumed": return onResumed(frame);
    case "delivery": return showStatus(T.reconnecting); // live updates paused server-side
    case "dialog":
      if (frame.open === true) toParent({ livechat: "open" }); // an operator wrote first
      return setDialog(frame.dialog);
    case "typing": return onTyping(frame);
    // An error of another app's frame ("frame": its type) is for that app's script.
    case "error": return frame.frame ? undefined : onError(frame);
    case "presence": return setOnline(frame.operators_online !== false);
    case "read": return setRead(frame.up_to);
  }
}

// Every server frame: the widget's handler first, then the extensions' listeners.
listen(function (frame) {
  dispatch(frame);
  emit(frame.type, frame);
}, onClose);

function bind() {
  bindComposer();
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
  listenToHost(start, sendPage);
  setInterval(resendStale, 3000);
}

exposeApi();
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
  start({ token: saved, page: null, referrer: "", utm: {}, open: true });
} else {
  toParent({
    livechat: "ready",
    color: cfg.color,
    labels: { open: T.launcherOpen, close: T.launcherClose, title: ui.title.textContent },
  });
}
