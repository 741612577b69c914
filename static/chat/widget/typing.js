/* Typing, both ways (docs/protocol.md, typing): the visitor's "typing" frames (with the
 * draft when the site shows it to operators) and the operator's "… is typing" line. */

import { ui } from "./frame.js";
import { state } from "./state.js";
import { T } from "./strings.js";
import { send } from "./socket.js";

const TYPING_EVERY_MS = 2000;
const TYPING_IDLE_MS = 3000;
// Typing preview (docs/protocol.md, client typing): the draft at most every 300 ms, and
// no more of it than the server keeps.
const PREVIEW_EVERY_MS = 300;
const PREVIEW_MAX_CHARS = 1000;
const OPERATOR_TYPING_TIMEOUT_MS = 8000;

function sendTyping(typing, text) {
  var frame = { type: "typing", typing: typing };
  if (typing && typeof text === "string") frame.text = text;
  if (send(frame)) {
    state.typingSent = typing;
    state.typingSentAt = Date.now();
  }
}

/** The visitor stopped (sent, emptied the input, minimised): "typing: false" if needed. */
export function stopTyping() {
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

/** The input changed: say so, at most every 2 s (every 300 ms with the draft). */
export function onTypingInput() {
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

/** A "typing" frame from the server: an operator's shows for at most 8 s. */
export function onTyping(frame) {
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

export function hideOperatorTyping() {
  clearTimeout(state.operatorTypingTimer);
  ui.typing.hidden = true;
}
