/* Canned replies in the composer: "/" at the start of the message opens a list of the
 * account's replies (replies/_composer_replies.html renders them into the page as JSON),
 * filtered by what follows the slash. Arrow keys move, Enter or Tab insert the reply with
 * its placeholders filled (the message is not sent), Escape closes, a click inserts.
 * The list is an ARIA listbox driven from the textarea with aria-activedescendant. */
(function () {
  "use strict";

  var dataNode = document.getElementById("canned-replies");
  var form = document.getElementById("composer");
  var input = document.getElementById("composer-text");
  if (!dataNode || !form || !input) return;

  var data = JSON.parse(dataNode.textContent);
  var strings = document.getElementById("canned-replies-strings").dataset;
  var replies = data.replies.map(function (reply) {
    return {
      id: reply.id,
      shortcut: reply.shortcut,
      title: reply.title,
      text: reply.text,
      haystack: (reply.shortcut + "\n" + reply.title + "\n" + reply.text).toLocaleLowerCase(),
      shortcutLower: reply.shortcut.toLocaleLowerCase()
    };
  });

  var popup = document.createElement("div");
  popup.className = "replies-popup";
  popup.id = "replies-popup";
  popup.hidden = true;
  var list = document.createElement("ul");
  list.id = "replies-listbox";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", strings.label);
  var empty = document.createElement("p");
  empty.className = "replies-popup-empty";
  empty.textContent = strings.empty;
  empty.hidden = true;
  popup.appendChild(list);
  popup.appendChild(empty);
  form.appendChild(popup);
  form.classList.add("has-replies");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-autocomplete", "list");

  var shown = [];       // replies in the list now
  var active = -1;      // index in `shown` of the highlighted one
  var dismissed = null; // the text Escape closed the list on: stays closed until it changes

  // The visitor's name can change while the page is open (he introduces himself).
  function values() {
    var filled = Object.assign({}, data.values);
    var title = document.getElementById("dialog-title");
    if (title && title.textContent.trim()) filled.visitor_name = title.textContent.trim();
    return filled;
  }

  function fill(text) {
    var known = values();
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(known, name) ? known[name] : whole;
    });
  }

  // "/query" before the caret, or null when the list should not be open.
  function query() {
    var caret = input.selectionStart;
    var value = input.value;
    if (value.charAt(0) !== "/" || caret < 1 || input.selectionEnd !== caret) return null;
    var typed = value.slice(1, caret);
    if (typed.indexOf("\n") !== -1) return null;
    return typed;
  }

  function matches(typed) {
    var terms = typed.toLocaleLowerCase().split(/\s+/).filter(Boolean);
    var found = replies.filter(function (reply) {
      return terms.every(function (term) { return reply.haystack.indexOf(term) !== -1; });
    });
    // Replies whose shortcut starts with what was typed come first.
    var first = terms[0] || "";
    return found.filter(function (r) { return r.shortcutLower.indexOf(first) === 0; })
      .concat(found.filter(function (r) { return r.shortcutLower.indexOf(first) !== 0; }));
  }

  function optionId(reply) {
    return "canned-reply-" + reply.id;
  }

  function setActive(index) {
    active = index;
    Array.prototype.forEach.call(list.children, function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", optionId(shown[index]));
      list.children[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function close() {
    popup.hidden = true;
    shown = [];
    active = -1;
    input.removeAttribute("aria-activedescendant");
    input.setAttribute("aria-expanded", "false");
  }

  function option(reply) {
    var item = document.createElement("li");
    item.id = optionId(reply);
    item.className = "replies-option";
    item.setAttribute("role", "option");
    item.dataset.reply = reply.id;
    var head = document.createElement("div");
    head.className = "replies-option-head";
    var shortcut = document.createElement("span");
    shortcut.className = "replies-option-shortcut";
    shortcut.textContent = "/" + reply.shortcut;
    var title = document.createElement("span");
    title.className = "replies-option-title";
    title.textContent = reply.title;
    head.appendChild(shortcut);
    head.appendChild(title);
    var text = document.createElement("div");
    text.className = "replies-option-text";
    text.textContent = fill(reply.text);
    item.appendChild(head);
    item.appendChild(text);
    return item;
  }

  function refresh() {
    var typed = query();
    if (typed === null || input.value === dismissed) {
      close();
      return;
    }
    dismissed = null;
    shown = matches(typed);
    list.textContent = "";
    shown.forEach(function (reply) { list.appendChild(option(reply)); });
    empty.hidden = shown.length > 0;
    list.hidden = shown.length === 0;
    popup.hidden = false;
    input.setAttribute("aria-expanded", "true");
    setActive(shown.length ? 0 : -1);
  }

  function countUse(reply) {
    var token = form.querySelector("[name=csrfmiddlewaretoken]");
    if (!token || !window.fetch) return;
    fetch(strings.usedUrl.replace("/0/", "/" + reply.id + "/"), {
      method: "POST",
      headers: { "X-CSRFToken": token.value },
      credentials: "same-origin",
      keepalive: true
    }).catch(function () { /* only a counter */ });
  }

  function insert(reply) {
    var caret = input.selectionStart;
    var text = fill(reply.text);
    input.value = text + input.value.slice(caret);
    input.setSelectionRange(text.length, text.length);
    close();
    input.focus();
    // console.js hears it as typing.
    input.dispatchEvent(new Event("input", { bubbles: true }));
    countUse(reply);
  }

  // Capture on the form: runs before console.js's Enter-sends handler on the textarea.
  form.addEventListener("keydown", function (event) {
    if (event.target !== input || popup.hidden || event.isComposing) return;
    var handled = true;
    if (event.key === "ArrowDown" && shown.length) {
      setActive((active + 1) % shown.length);
    } else if (event.key === "ArrowUp" && shown.length) {
      setActive((active - 1 + shown.length) % shown.length);
    } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0 && !event.shiftKey) {
      insert(shown[active]);
    } else if (event.key === "Escape") {
      dismissed = input.value;
      close();
    } else {
      handled = false;
    }
    if (handled) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  input.addEventListener("input", refresh);
  input.addEventListener("click", refresh);
  input.addEventListener("keyup", function (event) {
    if (event.key === "ArrowLeft" || event.key === "ArrowRight" || event.key === "Home" ||
        event.key === "End") refresh();
  });
  input.addEventListener("blur", close);

  // Keep the focus in the textarea while an option is pressed, then insert it.
  list.addEventListener("mousedown", function (event) { event.preventDefault(); });
  list.addEventListener("click", function (event) {
    var item = event.target.closest("[role=option]");
    if (!item) return;
    var reply = shown.filter(function (r) { return String(r.id) === item.dataset.reply; })[0];
    if (reply) insert(reply);
  });
})();
