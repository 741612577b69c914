/* The visitor's messages until the server stores them (docs/protocol.md, Sending): sent
 * with a client_id, sent again with the same one until acknowledged (at-least-once; the
 * server stores a client_id once), failed for good on a permanent error. */

import { cfg } from "./frame.js";
import { state } from "./state.js";
import { T } from "./strings.js";
import { send } from "./socket.js";
import { placeStored, setTime } from "./render.js";
import { noteDialogOf } from "./header.js";
import { showError } from "./notices.js";

const PERMANENT_ERRORS = { invalid: 1, empty: 1, too_long: 1, too_large: 1 };
const RESEND_AFTER_MS = 10000;

/** The outbox entry of a client_id, or null. */
export function findOutbox(clientId) {
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

/** Sends an entry now if the socket is ready (otherwise hello sends the whole outbox). */
export function transmit(entry) {
  var frame = { type: "message", client_id: entry.clientId, text: entry.text };
  if (entry.opening != null) frame.invitation = entry.opening;
  if (send(frame)) {
    entry.sentAt = Date.now();
    entry.tries += 1;
  }
}

/** Called every 3 s: sends again what has waited too long for its ack. */
export function resendStale() {
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

export function onAck(frame) {
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

/** The entry was stored as message id: its bubble becomes that stored message. */
export function confirm(entry, id, sentAt) {
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

// What the visitor reads of an error frame: words of the widget's language, never the
// server's detail (English, meant for developers).
function errorText(code) {
  if (code === "too_long") return T.tooLong.replace("{max}", cfg.maxLength);
  if (code === "unavailable") return T.resending;
  return T.notSentRetry;
}

export function onError(frame) {
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
