/*
 * Leads in the chat frame (templates/leads/_widget_forms.html), on top of widget.js:
 *  - no operator online: the offline form replaces the composer (a link leads back to the
 *    chat); when an operator comes online the chat comes back;
 *  - after the visitor's first message in a dialog, unless he has a name already, the
 *    "Introduce yourself" card appears in the conversation. Closing it hides it for this
 *    page load only: the frame's own storage is third-party and unreliable;
 *  - the chat refused the visitor for good (a blocked address, an unknown site): neither
 *    form shows again, like the composer (widget.js, "unavailable").
 * Both forms POST JSON with the visitor token (docs/protocol.md, Leads). Text from the
 * server is shown with textContent only.
 */
(function () {
  "use strict";

  var W = window.LiveWidget;
  if (!W) return;
  function $(id) { return document.getElementById(id); }
  var wrap = $("lc-offline-wrap");
  var offlineForm = $("lc-offline-form");
  var done = $("lc-offline-done");
  var composer = $("lc-composer");
  var offlineNote = $("lc-offline");
  var list = $("lc-messages");
  var template = $("lc-introduce-template");
  var T = $("lc-leads-i18n").dataset;

  var state = {
    connected: false,
    online: true,
    chatAnyway: false, // the visitor chose to write in the chat although nobody is online
    named: false, // he has a name: "introduce yourself" is not offered
    dismissed: false,
    replaying: false,
    talkedIn: Object.create(null), // dialog id -> the visitor has written in it
    unavailable: false, // the chat refused this visitor for good (widget.js): no forms at all
  };

  // --- forms ----------------------------------------------------------------------------

  function clearErrors(form) {
    form.querySelectorAll(".lc-field-error").forEach(function (node) {
      node.hidden = true;
      node.textContent = "";
    });
    form.querySelectorAll("[aria-invalid]").forEach(function (input) {
      input.removeAttribute("aria-invalid");
    });
  }

  function showErrors(form, errors) {
    var first = null;
    Object.keys(errors).forEach(function (field) {
      var messages = Array.isArray(errors[field]) ? errors[field] : [String(errors[field])];
      var box = form.querySelector('.lc-field[data-field="' + field + '"]');
      var slot = box ? box.querySelector(".lc-field-error") : null;
      if (!slot) slot = form.querySelector('.lc-form-error');
      slot.textContent = (slot.textContent ? slot.textContent + " " : "") + messages.join(" ");
      slot.hidden = false;
      var input = box ? box.querySelector("input, textarea") : null;
      if (input) {
        input.setAttribute("aria-invalid", "true");
        first = first || input;
      }
    });
    if (first) first.focus();
  }

  function formError(form, text) {
    showErrors(form, { __all__: [text] });
  }

  function post(form, onDone) {
    clearErrors(form);
    var data = {};
    form.querySelectorAll("input[name], textarea[name]").forEach(function (input) {
      data[input.name] = input.value;
    });
    var page = W.page();
    if (page && page.url) data.page_url = page.url;
    var button = form.querySelector(".lc-lead-submit");
    var label = button.textContent;
    button.disabled = true;
    button.textContent = T.sending;
    function finish() {
      button.disabled = false;
      button.textContent = label;
    }
    fetch(form.dataset.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Visitor-Token": W.token() || "" },
      body: JSON.stringify(data),
      credentials: "omit",
    })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          finish();
          if (response.ok) return onDone(data);
          if (body && body.errors && typeof body.errors === "object") return showErrors(form, body.errors);
          formError(form, body && typeof body.detail === "string" ? body.detail : T.failed);
        });
      })
      .catch(function () {
        finish();
        formError(form, T.failed);
      });
  }

  function bindForm(form, onDone) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      post(form, onDone);
    });
    form.addEventListener("input", function (event) {
      var box = event.target.closest(".lc-field");
      var slot = box && box.querySelector(".lc-field-error");
      if (slot) slot.hidden = true;
      event.target.removeAttribute("aria-invalid");
    });
  }

  // --- the offline form -----------------------------------------------------------------

  function render() {
    if (state.unavailable) {
      wrap.hidden = true;
      composer.hidden = true;
      if (offlineNote) offlineNote.hidden = true;
      return;
    }
    var showForm = state.connected && !state.online && !state.chatAnyway;
    wrap.hidden = !showForm;
    composer.hidden = showForm;
    // The form says it already; in the chat the usual offline note shows.
    if (offlineNote) offlineNote.hidden = state.online || showForm;
    if (showForm) showTop(wrap);
  }

  function showTop(node) {
    // The scroller's own scrollTop: scrollIntoView could scroll the host page too.
    var scroller = $("lc-body");
    scroller.scrollTop += node.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 8;
  }

  bindForm(offlineForm, function (data) {
    if (data.name && data.name.trim()) state.named = true;
    offlineForm.reset();
    offlineForm.hidden = true;
    done.hidden = false;
    showTop(wrap);
  });

  wrap.querySelectorAll("[data-chat-anyway]").forEach(function (button) {
    button.addEventListener("click", function () {
      state.chatAnyway = true;
      render();
      var input = $("lc-input");
      if (input) input.focus();
    });
  });

  // --- introduce yourself ---------------------------------------------------------------

  function offerIntroduction() {
    if ($("lc-introduce") || !template || state.unavailable) return;
    var card = template.content.firstElementChild.cloneNode(true);
    var form = card.querySelector("form");
    card.querySelector(".lc-introduce-close").addEventListener("click", function () {
      state.dismissed = true;
      card.remove();
    });
    bindForm(form, function (data) {
      if (data.name && data.name.trim()) state.named = true;
      state.dismissed = true; // he answered: not again on this page
      form.hidden = true;
      card.querySelector(".lc-introduce-thanks").hidden = false;
      setTimeout(function () { card.remove(); }, 4000);
    });
    list.appendChild(card);
    W.scrollToBottom();
  }

  function visitorWrote(dialogId) {
    if (typeof dialogId !== "number") return;
    var first = !state.talkedIn[dialogId];
    state.talkedIn[dialogId] = true;
    if (first && !state.replaying && !state.named && !state.dismissed) offerIntroduction();
  }

  // --- frames ---------------------------------------------------------------------------

  W.on("hello", function (frame) {
    state.connected = true;
    state.replaying = true;
    state.online = frame.operators_online !== false;
    state.named = !!(frame.visitor && frame.visitor.name) || state.named;
    render();
  });

  W.on("presence", function (frame) {
    state.online = frame.operators_online !== false;
    if (state.online) {
      // Someone answers now: back to the chat, and a fresh form for the next time.
      state.chatAnyway = false;
      offlineForm.hidden = false;
      done.hidden = true;
    }
    render();
  });

  W.on("resumed", function () { state.replaying = false; });

  W.on("message", function (frame) {
    var m = frame.message;
    if (m && m.author && m.author.kind === "visitor") visitorWrote(m.dialog);
  });

  W.on("ack", function (frame) { visitorWrote(frame.dialog); });

  W.on("unavailable", function () {
    state.unavailable = true;
    var card = $("lc-introduce");
    if (card) card.remove();
    render();
  });
})();
