/* Teamwork in the console (docs/teamwork.md):
 * - the composer's Note mode (the Note button, or "/note " at the start of the text): the
 *   text goes as a `note` frame, never as a message; notes arrive as `note` frames with
 *   their HTML and are caught up after a reconnect with a `notes` frame;
 * - toasts on any console page when a colleague mentions me in a note or transfers a
 *   dialog to me. */
(function () {
  "use strict";

  var C = window.LiveConsole;
  if (!C) return;
  var transcript = document.getElementById("transcript");
  var form = document.getElementById("composer");
  var input = document.getElementById("composer-text");
  var toggle = document.getElementById("composer-note");
  var PREFIX = /^\/(note|заметка)(\s+|$)/i;

  var noteMode = false;
  var sendLabel = form ? form.querySelector(".btn-send-label") : null;
  var defaults = input ? { placeholder: input.placeholder, send: sendLabel ? sendLabel.textContent : "" } : null;

  function lastNoteId() {
    var ids = transcript ? transcript.querySelectorAll(".msg-note[data-note]") : [];
    var last = 0;
    ids.forEach(function (n) { last = Math.max(last, Number(n.dataset.note)); });
    return last;
  }

  function scrollDown() {
    if (transcript) transcript.scrollTop = transcript.scrollHeight;
  }

  // --- note mode -------------------------------------------------------------------

  function setMode(on) {
    noteMode = on;
    if (!form) return;
    form.classList.toggle("composer-note", on);
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    input.placeholder = on ? toggle.dataset.placeholder : defaults.placeholder;
    if (sendLabel) sendLabel.textContent = on ? toggle.dataset.send : defaults.send;
  }

  // console.js's pending bubble, outbox and resends (a failed note is marked like a
  // failed message, "unavailable" sent again), drawn as a note.
  var NOTE_LOOK = { node: "msg msg-note", bubble: "note-bubble", text: "note-text" };
  function sendNote(text) {
    C.sendWritten({ type: "note", dialog: C.dialogId, client_id: C.newClientId(), text: text }, NOTE_LOOK);
  }

  // Runs before console.js (capture on the document): in note mode, or with "/note ",
  // the text never goes as a message.
  function takeOver(event) {
    if (!form || event.target !== (event.type === "submit" ? form : input)) return;
    if (event.type === "keydown" && (event.key !== "Enter" || event.shiftKey || event.isComposing)) return;
    var text = input.value;
    var prefixed = PREFIX.test(text);
    if (!noteMode && !prefixed) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    text = text.replace(PREFIX, "").trim();
    if (!text) return;
    sendNote(text);
    input.value = "";
    setMode(false);
    input.focus();
  }

  // A note is not a message being typed: the visitor hears no "is typing" from it.
  function quiet(event) {
    if (noteMode && event.target === input) event.stopPropagation();
  }

  if (form && toggle && input) {
    document.addEventListener("input", quiet, true);
    document.addEventListener("keydown", takeOver, true);
    document.addEventListener("submit", takeOver, true);
    toggle.addEventListener("click", function () {
      setMode(!noteMode);
      input.focus();
    });
    // "/note " typed or pasted: switch to note mode and keep only the note's text.
    input.addEventListener("input", function () {
      var match = input.value.match(PREFIX);
      if (match && match[2]) {
        input.value = input.value.slice(match[0].length);
        setMode(true);
        input.dispatchEvent(new Event("input", { bubbles: true })); // closes the replies list
      }
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && noteMode && !input.value) setMode(false);
    });
  }

  // Where the message composer is not shown (an ended dialog, a colleague's I read).
  var noteOnly = document.getElementById("note-composer");
  if (noteOnly && transcript) {
    var noteInput = document.getElementById("note-composer-text");
    C.onSend(noteOnly, noteInput, function () {
      var text = noteInput.value.trim();
      if (!text) return;
      sendNote(text);
      noteInput.value = "";
      noteInput.focus();
    });
  }

  // --- notes arriving ----------------------------------------------------------------

  function place(id, html, clientId) {
    if (!transcript) return;
    if (transcript.querySelector('.msg-note[data-note="' + id + '"]')) return;
    var node = C.fragment(html);
    var pending = clientId &&
      transcript.querySelector('.msg-pending[data-client-id="' + CSS.escape(clientId) + '"]');
    if (pending) pending.replaceWith(node); else transcript.appendChild(node);
    scrollDown();
  }

  C.on("note", function (frame) {
    if (frame.dialog === C.dialogId) place(frame.note, frame.html, frame.client_id);
  });
  C.on("noted", C.acknowledged);
  C.on("notes", function (frame) {
    if (frame.dialog !== C.dialogId) return;
    frame.notes.forEach(function (note) { place(note.id, note.html, null); });
  });
  C.on("hello", function () {
    if (!C.dialogId || !transcript) return;
    C.send({ type: "notes", dialog: C.dialogId, after: lastNoteId() });
  });

  // --- toasts: mentioned, transferred to me ----------------------------------------------

  function toast(frame) {
    var box = C.toasts(); // console-alerts.js's
    var node = C.fragment(frame.html);
    var close = node.querySelector("[data-dismiss]");
    if (close) close.addEventListener("click", function () { node.remove(); });
    node.addEventListener("keydown", function (event) {
      if (event.key === "Escape") node.remove();
    });
    box.appendChild(node);
    var text = node.querySelector(".toast-text");
    var note = node.querySelector(".toast-note");
    C.notify(text ? text.textContent.trim() : "", note ? note.textContent.trim() : "", frame.dialog, frame.type);
  }

  C.on("mention", toast);
  C.on("transfer", toast);
})();
