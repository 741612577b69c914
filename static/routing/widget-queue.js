/*
 * The visitor's place in the queue (docs/protocol.md, "queue"; docs/routing.md), on top of
 * widget.js: when every operator of an auto-assign site is busy, hello.queue and then live
 * `queue` frames say "You are 3rd in line." in the widget's language (the server writes
 * the text). A frame with position null, or an operator joining, takes the line away.
 * Shown only while the chat is online: offline, the offline note says what happens.
 */
(function () {
  "use strict";

  var W = window.LiveWidget;
  var box = document.getElementById("lc-queue");
  if (!W || !box) return;
  var textNode = document.getElementById("lc-queue-text");
  var hintNode = document.getElementById("lc-queue-hint");
  var typing = document.getElementById("lc-typing");
  if (typing && typing.parentNode) typing.parentNode.insertBefore(box, typing);

  var place = null; // {text, hint} while queued
  var online = true;

  function render() {
    var show = !!place && online;
    box.hidden = !show;
    textNode.textContent = show ? place.text : "";
    hintNode.textContent = show ? place.hint || "" : "";
  }

  function take(queue) {
    if (queue && typeof queue.position === "number" && typeof queue.text === "string") {
      place = { text: queue.text, hint: typeof queue.hint === "string" ? queue.hint : "" };
    } else {
      place = null;
    }
    render();
  }

  W.on("hello", function (frame) {
    if (typeof frame.operators_online === "boolean") online = frame.operators_online;
    take(frame.queue);
  });
  W.on("queue", take);
  W.on("presence", function (frame) {
    if (typeof frame.operators_online === "boolean") online = frame.operators_online;
    render();
  });
  W.on("dialog", function (frame) {
    var dialog = frame.dialog;
    if (dialog && (dialog.status === "closed" || (dialog.operators && dialog.operators.length))) {
      place = null;
      render();
    }
  });
  W.on("unavailable", function () { place = null; render(); });
})();
