/* Read state: while the open dialog is on screen, tell the server up to which message the
 * operator has seen it; the visitor sees "Read" (docs/protocol.md, read). */
(function () {
  "use strict";

  var live = window.LiveConsole;
  var transcript = document.getElementById("transcript");
  if (!live || !live.dialogId || !transcript) return;
  var watching = false;
  var sentUpTo = 0;

  function lastShownId() {
    var ids = transcript.querySelectorAll(".msg[data-id]");
    return ids.length ? Number(ids[ids.length - 1].dataset.id) : 0;
  }

  function markRead() {
    var upTo = lastShownId();
    if (!watching || document.visibilityState !== "visible" || upTo <= sentUpTo) return;
    sentUpTo = upTo;
    live.send({ type: "read", dialog: live.dialogId, up_to: upTo });
  }

  live.on("hello", function () { watching = false; sentUpTo = 0; });
  live.on("watching", function (frame) {
    watching = frame.dialog === live.dialogId;
    markRead();
  });
  live.on("resumed", markRead);
  live.on("message", function (frame) {
    if (frame.message.dialog === live.dialogId && frame.message.author.kind === "visitor") markRead();
  });
  document.addEventListener("visibilitychange", markRead);
  window.addEventListener("focus", markRead);
})();
