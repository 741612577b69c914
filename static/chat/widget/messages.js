/* A "message" frame: a stored message, live or replayed. It replaces its pending bubble
 * (the visitor's own, matched by client_id) or takes its place by id, once. */

import { nearBottom, scrollToBottom } from "./frame.js";
import { state } from "./state.js";
import { renderMessage, placeStored, setTime } from "./render.js";
import { findOutbox, confirm } from "./outbox.js";
import { dropUpload } from "./uploads.js";
import { noteDialogOf } from "./header.js";
import { hideOperatorTyping } from "./typing.js";
import { toParent, isSeen } from "./host.js";

function isMessage(m) {
  return m && typeof m === "object" && typeof m.id === "number" && typeof m.text === "string"
    && m.author && typeof m.author === "object";
}

export function onMessage(m) {
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
