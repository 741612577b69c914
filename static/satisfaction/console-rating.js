// A visitor's rating on the dialog page: the server sends the rendered parts in `rating`
// frames (satisfaction/events.py -> chat.realtime.events); the header's and the visitor
// card's are swapped in as they are.
(function () {
  "use strict";
  if (!window.LiveConsole) return;

  window.LiveConsole.on("rating", function (frame) {
    if (String(frame.dialog) !== String(window.LiveConsole.dialogId)) return;
    var parts = window.LiveConsole.fragment(frame.html);
    if (!parts) return;
    ["dialog-rating", "card-rating"].forEach(function (id) {
      var current = document.getElementById(id);
      var next = parts.querySelector("#" + id);
      if (current && next) current.replaceWith(next);
    });
  });
})();
