/* Console keyboard shortcuts (the help dialog, "?", lists them for the operator).
 *
 * 1-5 open Mine / Others / Missed / History / Leads and j / k the next / previous dialog of
 * the list, both only when the focus is not in a text field; Alt+ArrowDown / Alt+ArrowUp
 * open the next / previous dialog from anywhere, the composer included. Alt+digits are not
 * used: Chrome on Linux switches browser tabs with them. Screen readers in browse mode keep
 * bare letters and digits for themselves, so each tab link also carries aria-keyshortcuts.
 * Escape closes an open menu or the visitor card and gives the focus back to its toggle;
 * with nothing open it leaves the text field (the composer has the focus on dialog pages).
 * Enter sends and Shift+Enter starts a new line (console.js); "/" opens canned replies. */
(function () {
  "use strict";

  var help = document.getElementById("shortcuts-help");

  function typingIn(target) {
    if (!target || !target.closest) return false;
    return Boolean(target.isContentEditable ||
      target.closest("input, textarea, select, [contenteditable='true']"));
  }

  function openTab(key) {
    var link = document.querySelector('.tabs a[aria-keyshortcuts="' + key + '"]');
    if (link) link.click();
  }

  function openNeighbourDialog(step) {
    var rows = Array.prototype.slice.call(document.querySelectorAll("#tab-list .row"));
    if (!rows.length) return;
    var current = rows.findIndex(function (row) { return row.classList.contains("current"); });
    var next = current < 0 ? (step > 0 ? 0 : rows.length - 1) : current + step;
    if (next < 0 || next >= rows.length) return;
    var link = rows[next].querySelector(".row-link");
    if (link) link.click();
  }

  function closeMenus() {
    var open = document.querySelectorAll("details[open]");
    if (!open.length) return false;
    // The outermost open menu: its summary is what the operator opened it with.
    var outer = open[0];
    open.forEach(function (menu) { menu.open = false; });
    var toggle = outer.querySelector("summary");
    if (toggle) toggle.focus();
    return true;
  }

  function closeVisitorCard() {
    var card = document.getElementById("visitor-card");
    if (!card || card.hidden) return false;
    document.getElementById("card-close").click();
    document.getElementById("card-toggle").focus();
    return true;
  }

  var opener = null;

  function showHelp() {
    if (!help || help.open) return;
    opener = document.activeElement;
    var menus = document.querySelectorAll("details[open]");
    // Opened from a menu item: the menu closes, so the focus comes back to its toggle.
    if (menus.length && menus[0].contains(opener)) opener = menus[0].querySelector("summary");
    menus.forEach(function (menu) { menu.open = false; });
    help.showModal();
    help.querySelector("button").focus();
  }

  if (help) {
    help.addEventListener("close", function () {
      if (opener && opener.isConnected && opener.focus) opener.focus();
      opener = null;
    });
    help.querySelector("[data-close]").addEventListener("click", function () { help.close(); });
    // Keep Tab inside the dialog instead of wandering into the browser's toolbar.
    help.addEventListener("keydown", function (event) {
      if (event.key !== "Tab") return;
      var focusable = help.querySelectorAll("button, a[href], [tabindex]:not([tabindex='-1'])");
      var first = focusable[0];
      var last = focusable[focusable.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    });
  }
  var helpButton = document.getElementById("shortcuts-button");
  if (helpButton) helpButton.addEventListener("click", showHelp);

  // Capture phase: runs before console.js closes every menu, so the toggle is still known;
  // the canned-replies popup (composer-replies.js) handles its own Escape and keeps it.
  window.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.isComposing || (help && help.open)) return;
    var popup = document.querySelector(".replies-popup:not([hidden])");
    if (popup && event.target.id === "composer-text") return;
    if (closeMenus() || closeVisitorCard()) {
      event.preventDefault();
    } else if (typingIn(event.target)) {
      // The composer takes the focus on every dialog page: Escape lets letters be shortcuts.
      event.target.blur();
    }
  }, true);

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing || event.ctrlKey || event.metaKey) return;
    if (help && help.open) return;
    if (event.altKey) {
      if (event.shiftKey) return;
      if (event.key === "ArrowDown") openNeighbourDialog(1);
      else if (event.key === "ArrowUp") openNeighbourDialog(-1);
      else return;
      event.preventDefault();
      return;
    }
    if (typingIn(event.target)) return;
    if (event.key === "?") showHelp();
    else if (/^[1-5]$/.test(event.key)) openTab(event.key);
    // By key position, so j / k work on a Russian layout too.
    else if (event.code === "KeyJ" && !event.shiftKey) openNeighbourDialog(1);
    else if (event.code === "KeyK" && !event.shiftKey) openNeighbourDialog(-1);
    else return;
    event.preventDefault();
  });
})();
