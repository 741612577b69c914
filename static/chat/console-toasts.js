/* Django's messages shown as toasts (templates/chat/_message_toasts.html): a notice is
 * announced politely and goes after a few seconds (not while the pointer or the focus is
 * on it); an error stays until dismissed. Every toast has a close button. */
(function () {
  "use strict";

  var SHOWN_MS = 6000;

  function close(toast) {
    toast.remove();
    var box = document.getElementById("message-toasts");
    if (box && !box.children.length) box.remove();
  }

  function autohide(toast) {
    var timer = null;
    var held = { pointer: false, focus: false };
    function start() {
      clearTimeout(timer);
      if (held.pointer || held.focus) return;
      timer = setTimeout(function () { close(toast); }, SHOWN_MS);
    }
    toast.addEventListener("mouseenter", function () { held.pointer = true; clearTimeout(timer); });
    toast.addEventListener("mouseleave", function () { held.pointer = false; start(); });
    toast.addEventListener("focusin", function () { held.focus = true; clearTimeout(timer); });
    toast.addEventListener("focusout", function () { held.focus = false; start(); });
    start();
  }

  function init() {
    document.querySelectorAll("#message-toasts .toast").forEach(function (toast) {
      var button = toast.querySelector(".toast-close");
      button.hidden = false;
      button.addEventListener("click", function () { close(toast); });
      // A live region reads out what changes in it, not what the page came with: the
      // text is put back a moment after the page has loaded, so it is announced.
      var text = toast.querySelector(".toast-text");
      var words = text.textContent;
      text.textContent = "";
      setTimeout(function () { text.textContent = words; }, 100);
      if (toast.hasAttribute("data-autohide")) autohide(toast);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
