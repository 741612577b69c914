/* The composer: the text area (send button, length counter, height) and sending what the
 * visitor wrote, which goes into the outbox with a new client_id. */

import { cfg, ui, scrollToBottom } from "./frame.js";
import { state } from "./state.js";
import { T } from "./strings.js";
import { renderMessage, regroup } from "./render.js";
import { transmit } from "./outbox.js";
import { stopTyping, onTypingInput } from "./typing.js";
import { showError, hideError } from "./notices.js";

/** A client_id (docs/protocol.md): a random UUID, or 32 random hex digits. */
export function newClientId() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
  var bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
}

function byteLength(text) {
  return new TextEncoder().encode(text).length;
}

/** Sends the input's text: a pending bubble now, the stored message when it is acked. */
export function submit() {
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
  var opensDialog = !state.dialog || state.dialog.status === "closed";
  if (opensDialog && state.opening !== null) entry.opening = state.opening;
  state.opening = null;
  state.outbox.push(entry);
  ui.input.value = "";
  onInputChanged();
  stopTyping();
  transmit(entry);
  scrollToBottom();
}

export function updateSendButton() {
  ui.send.disabled = state.stopped || !ui.input.value.trim();
  if (ui.attach) ui.attach.disabled = state.stopped;
}

/** "n / max" under the input from 80% of the allowed length. */
export function updateCounter() {
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

export function onInputChanged() {
  updateSendButton();
  updateCounter();
  autosize();
}

/** Enter sends (Shift+Enter is a new line; never while an IME composes), so does the button. */
export function bindComposer() {
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
}
