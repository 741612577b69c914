/* Visitor card: opened from the avatar or the name in the dialog header. A side panel on
 * desktop (the choice is remembered), a full-screen sheet on phones. The current page
 * and the online dot follow the visitor live. */
(function () {
  "use strict";

  var card = document.getElementById("visitor-card");
  var toggle = document.getElementById("card-toggle");
  if (!card || !toggle || !window.LiveConsole) return;
  var dialog = card.closest(".dialog");
  var closeButton = document.getElementById("card-close");
  var title = document.getElementById("dialog-title");
  var phone = window.matchMedia("(max-width: 760px)");
  var KEY = "livechat.visitorCard";

  function remember(open) {
    try {
      if (open) localStorage.setItem(KEY, "open"); else localStorage.removeItem(KEY);
    } catch (e) { /* private mode: nothing to remember */ }
  }

  function setOpen(open, byUser) {
    card.hidden = !open;
    dialog.classList.toggle("card-open", open);
    toggle.setAttribute("aria-expanded", String(open));
    if (!byUser) return;
    if (!phone.matches) remember(open);
    // The sheet covers the page on a phone: move the focus into it and back.
    if (phone.matches) (open ? closeButton : toggle).focus();
  }

  toggle.addEventListener("click", function () { setOpen(card.hidden, true); });
  if (title) {
    title.classList.add("card-opener");
    title.addEventListener("click", function () { setOpen(card.hidden, true); });
  }
  closeButton.addEventListener("click", function () { setOpen(false, true); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !card.hidden && phone.matches) setOpen(false, true);
  });

  var stored = null;
  try { stored = localStorage.getItem(KEY); } catch (e) { /* see remember() */ }
  if (stored === "open" && !phone.matches) setOpen(true, false);

  LiveConsole.on("page", function (frame) {
    if (frame.dialog !== LiveConsole.dialogId) return;
    var slot = document.getElementById("card-page");
    var node = LiveConsole.fragment(frame.html);
    if (slot && node) slot.replaceWith(node);
  });

  LiveConsole.on("visitor_online", function (frame) {
    if (frame.dialog !== LiveConsole.dialogId) return;
    document.getElementById("card-dot").classList.toggle("card-dot-online", frame.online);
    document.getElementById("card-state").textContent =
      frame.online ? card.dataset.online : card.dataset.offline;
  });
})();
