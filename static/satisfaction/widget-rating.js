/*
 * The rating card in the chat frame (templates/satisfaction/_widget_config.html), on top of
 * widget.js through window.LiveWidget:
 *  - only when the visitor sees his dialog end: a "dialog" frame with status "closed"
 *    arriving live while the chat panel is open (docs/protocol.md, Rating). A dialog that
 *    ended while the panel was closed, or while no page of his was open, gets no card, and
 *    a page loaded later never shows one (the frame comes live only);
 *  - the card asks for five stars or a thumb, per the site's scale, with an optional comment;
 *  - Send sends a "rate" frame; the answer "rated" shows "Thank you" and, until its
 *    changeable_until, a Change button; an "error" frame of the rate frame shows its reason
 *    in the card;
 *  - Skip removes the card; a sent or skipped card does not come back for that dialog
 *    (remembered per dialog id in the frame's storage, for the visitor's other tabs).
 * Text from the server is shown with textContent only.
 */
(function () {
  "use strict";

  var W = window.LiveWidget;
  var configNode = document.getElementById("lc-rating-config");
  if (!W || !configNode) return;
  var cfg = JSON.parse(configNode.textContent);
  if (cfg.scale !== "stars" && cfg.scale !== "thumbs") return;
  var T = document.getElementById("lc-rating-i18n").dataset;
  var template = document.getElementById("lc-rating-template");
  var list = document.getElementById("lc-messages");
  var prefix = "livechat:" + cfg.site + ":rating:";
  var memory = Object.create(null); // when the frame's storage is refused (third-party)
  var card = null; // {dialog, el, score, sending}

  // --- storage ----------------------------------------------------------------------------

  function load(key) {
    try {
      var value = localStorage.getItem(prefix + key);
      if (value !== null) return value;
    } catch (e) { /* refused: memory only */ }
    return key in memory ? memory[key] : null;
  }

  function save(key, value) {
    memory[key] = value;
    try { localStorage.setItem(prefix + key, value); } catch (e) { /* memory only */ }
  }

  function finished(dialogId) { return !!load("done:" + dialogId); }

  function finish(dialogId, how) { save("done:" + dialogId, how); }

  // --- the card ---------------------------------------------------------------------------

  function part(selector) { return card.el.querySelector(selector); }

  function choices() {
    return Array.prototype.slice.call(part('.lc-rating-choices[data-scale="' + cfg.scale + '"]').querySelectorAll(".lc-rating-choice"));
  }

  function choose(score) {
    card.score = score;
    choices().forEach(function (button) {
      var on = Number(button.dataset.score) === score;
      var filled = cfg.scale === "stars" ? Number(button.dataset.score) <= score : on;
      button.setAttribute("aria-checked", on ? "true" : "false");
      button.classList.toggle("lc-on", filled);
      button.tabIndex = on || (!score && button === choices()[0]) ? 0 : -1;
    });
    part(".lc-rating-send").disabled = !score || card.sending;
    hideError();
  }

  function showError(text) {
    var slot = part(".lc-rating-error");
    slot.textContent = text;
    slot.hidden = false;
  }

  function hideError() { part(".lc-rating-error").hidden = true; }

  function setSending(sending) {
    card.sending = sending;
    var button = part(".lc-rating-send");
    button.textContent = sending ? T.sending : button.dataset.label;
    button.disabled = sending || !card.score;
  }

  function offer(dialogId) {
    if (card && card.dialog === dialogId) return;
    if (card && !card.rated) card.el.remove();
    card = { dialog: dialogId, score: 0, sending: false, rated: null, timer: null, answerTimer: null };
    card.el = template.content.firstElementChild.cloneNode(true);
    part('.lc-rating-choices[data-scale="' + cfg.scale + '"]').hidden = false;
    part(".lc-rating-send").dataset.label = part(".lc-rating-send").textContent;
    bindCard(card);
    list.appendChild(card.el);
    choose(0);
    W.scrollToBottom();
  }

  function bindCard(current) {
    var el = current.el;
    choices().forEach(function (button, index, all) {
      button.addEventListener("click", function () { choose(Number(button.dataset.score)); });
      button.addEventListener("keydown", function (event) {
        var step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
        if (!step) return;
        event.preventDefault();
        var next = all[(index + step + all.length) % all.length];
        choose(Number(next.dataset.score));
        next.focus();
      });
    });
    el.querySelector(".lc-rating-form").addEventListener("submit", function (event) {
      event.preventDefault();
      if (card !== current || current.sending) return;
      if (!current.score) return showError(T.choose);
      var sent = W.send({
        type: "rate",
        dialog: current.dialog,
        score: current.score,
        comment: el.querySelector(".lc-rating-comment").value,
      });
      if (!sent) return showError(T.failed);
      setSending(true);
      // No answer (the socket dropped meanwhile): let the visitor send it again.
      clearTimeout(current.answerTimer);
      current.answerTimer = setTimeout(function () {
        if (card === current && current.sending) {
          setSending(false);
          showError(T.failed);
        }
      }, 15000);
    });
    el.querySelector(".lc-rating-skip").addEventListener("click", function () {
      finish(current.dialog, "skipped");
      el.remove();
      if (card === current) card = null;
    });
    el.querySelector(".lc-rating-change").addEventListener("click", function () {
      el.querySelector(".lc-rating-done").hidden = true;
      el.querySelector(".lc-rating-form").hidden = false;
      var chosen = el.querySelector('.lc-rating-choice[aria-checked="true"]');
      if (chosen) chosen.focus();
    });
  }

  function showRated(frame) {
    clearTimeout(card.answerTimer);
    card.rated = frame;
    setSending(false);
    finish(card.dialog, "sent");
    choose(frame.score);
    part(".lc-rating-comment").value = frame.comment || "";
    var summary = cfg.scale === "thumbs" || frame.scale === "thumbs"
      ? (frame.score >= 4 ? T.up : T.down)
      : T.stars.replace("{n}", frame.score);
    part(".lc-rating-summary").textContent = summary;
    part(".lc-rating-form").hidden = true;
    part(".lc-rating-done").hidden = false;
    var left = Date.parse(frame.changeable_until) - Date.now();
    var change = part(".lc-rating-change");
    change.hidden = !(left > 0);
    clearTimeout(card.timer);
    if (left > 0) {
      card.timer = setTimeout(function () {
        change.hidden = true;
        part(".lc-rating-form").hidden = true;
        part(".lc-rating-done").hidden = false;
      }, Math.min(left, 2147483000));
    }
    W.scrollToBottom();
  }

  var reasons = {
    rating_final: "final",
    too_late: "tooLate",
    not_found: "tooLate",
    rating_off: "tooLate",
    too_long: "tooLong",
  };

  // --- frames -------------------------------------------------------------------------------

  W.on("dialog", function (frame) {
    var dialog = frame.dialog;
    if (!dialog || typeof dialog.id !== "number" || dialog.status !== "closed") return;
    if (!W.isOpen() || finished(dialog.id)) return; // he did not see it end: no card
    offer(dialog.id);
  });

  W.on("rated", function (frame) {
    if (card && frame.dialog === card.dialog) showRated(frame);
  });

  W.on("error", function (frame) {
    if (frame.frame !== "rate" || !card || !card.sending) return;
    clearTimeout(card.answerTimer);
    setSending(false);
    var reason = reasons[frame.code];
    showError(reason ? T[reason] : T.failed);
    if (frame.code === "rating_final" || frame.code === "too_late" || frame.code === "not_found") {
      finish(card.dialog, "sent");
      part(".lc-rating-send").disabled = true;
    }
  });

  W.on("unavailable", function () {
    if (card) card.el.remove();
    card = null;
  });
})();
