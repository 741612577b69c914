/* The host page around the iframe (static/chat/embed.js), spoken to with postMessage;
 * the messages are listed at the top of static/chat/widget.js. */

import { ui, standalone, scrollToBottom } from "./frame.js";
import { state } from "./state.js";
import { emit } from "./extensions.js";

/** Posts a message to the host page, to its origin once init has told it. */
export function toParent(message) {
  if (standalone) return;
  window.parent.postMessage(message, state.parentOrigin || "*");
}

/** Hears the host page: onInit(options) once, onPage() when its page changed (SPA). */
export function listenToHost(onInit, onPage) {
  window.addEventListener("message", function (event) {
    if (standalone || event.source !== window.parent) return;
    if (state.parentOrigin && event.origin !== state.parentOrigin) return;
    var data = event.data;
    if (!data || typeof data !== "object" || typeof data.livechat !== "string") return;
    switch (data.livechat) {
      case "init":
        if (state.initialised) break;
        state.parentOrigin = event.origin;
        onInit({
          token: typeof data.token === "string" ? data.token : "",
          page: pageOf(data.page),
          referrer: typeof data.referrer === "string" ? data.referrer : "",
          utm: data.utm && typeof data.utm === "object" ? data.utm : {},
          pages: pagesOf(data.pages),
          open: !!data.open,
        });
        break;
      case "page":
        if (!state.initialised) break;
        state.page = pageOf(data);
        state.pages = Math.max(state.pages, pagesOf(data.pages));
        onPage();
        break;
      case "open":
        setVisible(true);
        break;
      case "close":
        setVisible(false);
        break;
      case "bubble_closed": // the visitor closed the bubble the frame asked for
      case "bubble_opened": // ... or clicked it, which opens the chat
        emit(data.livechat, {});
        break;
    }
  });
}

function pagesOf(value) {
  return typeof value === "number" && value >= 0 && value < 1e6 ? Math.floor(value) : 0;
}

function pageOf(data) {
  if (!data || typeof data !== "object" || typeof data.url !== "string") return null;
  return { url: data.url, title: typeof data.title === "string" ? data.title : "" };
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

/** The visitor can see the conversation: the panel is open and the tab is shown. */
export function isSeen() {
  return state.open && !document.hidden;
}

export function clearUnread() {
  if (state.unread) {
    state.unread = 0;
    toParent({ livechat: "unread", count: 0 });
  }
}
