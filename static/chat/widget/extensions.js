/* Other frame scripts (static/leads/widget-leads.js, a classic script that runs after the
 * widget's modules) hook in through window.LiveWidget: on(type, fn) hears every server
 * frame of that type after the widget has handled it. */

import { scrollToBottom } from "./frame.js";
import { state } from "./state.js";
import { send } from "./socket.js";
import { toParent } from "./host.js";

const listeners = Object.create(null);

/** Tells the listeners of type; also used for the widget's own "unavailable" event. */
export function emit(type, frame) {
  (listeners[type] || []).forEach(function (listener) { listener(frame); });
}

export function exposeApi() {
  window.LiveWidget = {
    on: function (type, listener) { (listeners[type] = listeners[type] || []).push(listener); },
    token: function () { return state.token; },
    page: function () { return state.page; },
    // What the host page told of this visit: {referrer, utm, pages}.
    visit: function () { return { referrer: state.referrer, utm: state.utm, pages: state.pages }; },
    isOpen: function () { return state.open; },
    dialog: function () { return state.dialog; },
    // The visitor's next message, if it opens a dialog, answers this (an invitation id).
    setOpening: function (value) { state.opening = value; },
    // A message to the host page's loader (static/chat/embed.js): bubble, bubble_hide, open.
    toHost: function (message) {
      if (message && ["bubble", "bubble_hide", "open"].indexOf(message.livechat) !== -1) toParent(message);
    },
    scrollToBottom: scrollToBottom,
    // Whether the panel is open on the host page (the visitor is looking at the chat).
    isOpen: function () { return !!state.open; },
    // A frame of another app (chat/realtime/extensions.py); false when not connected.
    send: function (frame) { return send(frame); },
  };
}
