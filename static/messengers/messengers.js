/* Messenger channels in the console (docs/channels.md): each operator message's delivery
 * state is replaced live (`channel_delivery` frames) and its Retry button posts again. */
(function () {
  "use strict";

  var C = window.LiveConsole;
  if (!C) return;

  function place(frame) {
    if (frame.dialog !== C.dialogId) return;
    var node = C.fragment(frame.html);
    var old = document.getElementById("delivery-" + frame.delivery);
    if (old) { old.replaceWith(node); return; }
    var message = document.querySelector('.msg[data-id="' + frame.message + '"]');
    if (message) message.after(node);
  }

  C.on("channel_delivery", place);
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".channel-retry");
    if (!button) return;
    var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
    button.disabled = true;
    fetch(button.dataset.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf ? csrf.value : "" },
    }).then(function (response) {
      if (!response.ok) button.disabled = false;
    }, function () { button.disabled = false; });
  });
})();
