// The dialog header's tags: type-to-filter in the picker, add / remove without leaving the
// page (the server answers with the control, tags/views.py), and the control swapped in
// when a colleague changes the dialog's tags (`tags` frames, tags/events.py).
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // Controls rendered by the publisher carry no CSRF token: give their forms the page's.
  function fillTokens(root) {
    var token = csrfToken();
    root.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) {
      if (!input.value) input.value = token;
    });
  }

  function toElement(html) {
    if (window.LiveConsole && window.LiveConsole.fragment) return window.LiveConsole.fragment(html);
    var box = document.createElement("div");
    box.innerHTML = html.trim();
    return box.firstElementChild;
  }

  function swap(html, keepOpen) {
    var current = document.getElementById("dialog-tags");
    var next = toElement(html);
    if (!current || !next) return;
    fillTokens(next);
    var wasOpen = current.querySelector(".tag-add[open]");
    var search = current.querySelector(".tag-search");
    current.replaceWith(next);
    if (wasOpen && keepOpen) {
      var details = next.querySelector(".tag-add");
      details.open = true;
      var field = next.querySelector(".tag-search");
      if (field && search) {
        field.value = search.value;
        filter(field);
        field.focus();
      }
    }
  }

  function filter(field) {
    var words = field.value.trim().toLocaleLowerCase();
    var picker = field.closest(".tag-picker");
    var shown = 0;
    picker.querySelectorAll(".tag-options li").forEach(function (item) {
      var name = item.querySelector(".tag-option-name").textContent.toLocaleLowerCase();
      var match = !words || name.indexOf(words) !== -1;
      item.hidden = !match;
      if (match) shown += 1;
    });
    var none = picker.querySelector(".tag-none");
    if (none) none.hidden = shown > 0;
  }

  document.addEventListener("input", function (event) {
    if (event.target.classList && event.target.classList.contains("tag-search")) filter(event.target);
  });

  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (!field.classList || !field.classList.contains("tag-search")) return;
    if (event.key === "Enter") {
      // Enter picks the first tag left after filtering.
      event.preventDefault();
      var first = field.closest(".tag-picker").querySelector(".tag-options li:not([hidden]) .tag-option");
      if (first) first.click();
    } else if (event.key === "Escape") {
      var details = field.closest(".tag-add");
      details.open = false;
      details.querySelector("summary").focus();
    }
  });

  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.classList || !details.classList.contains("tag-add") || !details.open) return;
    var field = details.querySelector(".tag-search");
    if (field) field.focus();
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("tag-form") || !form.closest("#dialog-tags")) return;
    event.preventDefault();
    var adding = !!form.querySelector(".tag-option");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Fragment": "1" },
    })
      .then(function (response) {
        return response.text().then(function (text) { return { ok: response.ok, text: text }; });
      })
      .then(function (answer) {
        if (answer.ok) return swap(answer.text, false);
        var control = document.getElementById("dialog-tags");
        var error = control && control.querySelector(".tag-error");
        if (control && !error) {
          error = document.createElement("p");
          error.className = "form-error tag-error";
          error.setAttribute("role", "alert");
          control.appendChild(error);
        }
        if (error) error.textContent = answer.text;
      })
      .catch(function () { form.submit(); });
    if (adding) {
      var details = form.closest(".tag-add");
      if (details) details.open = false;
    }
  });

  if (window.LiveConsole) {
    window.LiveConsole.on("tags", function (frame) {
      if (String(frame.dialog) === String(window.LiveConsole.dialogId)) swap(frame.html, true);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var control = document.getElementById("dialog-tags");
    if (control) fillTokens(control);
  });
})();
