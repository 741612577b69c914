/* The visitor's WebSocket (docs/protocol.md, Endpoint): one at a time, reconnected with
 * backoff and jitter; frames go out only after the server's hello on this socket. */

import { cfg } from "./frame.js";
import { state } from "./state.js";
import { T } from "./strings.js";
import { showStatus } from "./notices.js";

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 15000;
// After a 4012 close (the server restarts, or asks a resync): a short random wait, so the
// sockets a server closes do not all land on the others in the same instant.
const PLANNED_MIN_MS = 100;
const PLANNED_MAX_MS = 1000;
const PLANNED_IN_A_ROW = 3;

const handlers = { frame: null, close: null };

/** Who hears the current socket: onFrame(parsed frame object), onClose(close event). */
export function listen(onFrame, onClose) {
  handlers.frame = onFrame;
  handlers.close = onClose;
}

function socketUrl() {
  var scheme = location.protocol === "https:" ? "wss://" : "ws://";
  var url = scheme + location.host + cfg.wsPath;
  if (state.token) url += "?token=" + encodeURIComponent(state.token);
  return url;
}

/** Opens the socket unless one is open or the server refused us for good. */
export function connect() {
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
    if (state.ws === ws) handlers.close(event);
  };
}

function onFrame(raw) {
  var frame;
  try {
    frame = JSON.parse(raw);
  } catch (e) {
    return;
  }
  if (!frame || typeof frame !== "object") return;
  handlers.frame(frame);
}

/** Sends a frame; false (nothing sent) before hello or without an open socket. */
export function send(frame) {
  if (!state.ready || !state.ws || state.ws.readyState !== 1) return false;
  state.ws.send(JSON.stringify(frame));
  return true;
}

export function scheduleReconnect() {
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

/** The server closed with 4012, "reconnect now and resume" (docs/protocol.md, Close
 * codes): nothing failed, so no "Reconnecting…" and no step up the backoff; only if this
 * new attempt fails does the usual backoff (and its status line) begin. */
export function reconnectPlanned() {
  clearTimeout(state.reconnectTimer);
  if (state.stopped) return;
  // A server that keeps closing us before hello (draining, and still reached): back off.
  state.plannedInARow += 1;
  if (state.plannedInARow > PLANNED_IN_A_ROW) return scheduleReconnect();
  var delay = PLANNED_MIN_MS + Math.random() * (PLANNED_MAX_MS - PLANNED_MIN_MS);
  state.reconnectTimer = setTimeout(connect, delay);
}

/** The network is back or the tab is shown again: no need to wait for the backoff. */
export function reconnectNow() {
  if (state.initialised && !state.ws && !state.stopped) {
    state.attempt = 0;
    connect();
  }
}
