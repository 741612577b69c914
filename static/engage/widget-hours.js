/*
 * Business hours in the chat frame (docs/protocol.md, "hello.hours"), on top of widget.js
 * and static/leads/widget-leads.js. The server already counts the chat as online only
 * inside hours (hello.operators_online, presence frames), so the offline form shows by
 * itself when closed; this script says when the site opens again ("We will answer on
 * Monday at 09:00."), over the offline form and in the chat's offline note.
 *
 * Live: when the hours are due to change (hours.opens_at or hours.closes_at) it asks the
 * server with an `hours` frame; the answer is a `presence` frame carrying the new hours,
 * so the widget flips without a reload. Text from the server goes in with textContent.
 */
(function () {
  "use strict";

  var W = window.LiveWidget;
  var strings = document.getElementById("lc-hours-i18n");
  if (!W || !strings) return;
  var T = strings.dataset;
  var MAX_DELAY = 24 * 3600 * 1000; // setTimeout's own limit is ~24.8 days: ask daily
  var timer = null;
  var title = document.getElementById("lc-offline-title");
  var openTitle = title ? title.textContent : "";

  function noticeIn(container, id, before) {
    var node = document.getElementById(id);
    if (!node && container) {
      node = document.createElement("p");
      node.id = id;
      node.className = "lc-hours-notice";
      container.insertBefore(node, before || null);
    }
    return node;
  }

  function show(hours) {
    var closed = hours.open === false;
    var notice = closed && typeof hours.notice === "string" ? hours.notice : "";
    if (title) title.textContent = closed ? T.closedTitle : openTitle;
    var form = document.getElementById("lc-offline-form");
    var inForm = noticeIn(form, "lc-hours-form-notice", title ? title.nextSibling : null);
    var chatNote = document.getElementById("lc-offline");
    var inChat = noticeIn(chatNote, "lc-hours-chat-notice", null);
    [inForm, inChat].forEach(function (node) {
      if (!node) return;
      node.textContent = notice;
      node.hidden = !notice;
    });
    current = notice;
    showFormTop();
  }

  // The form's top (its title and the notice) in view, also after the replay that follows
  // hello scrolled the conversation to its end; the scroller's own scrollTop, so that the
  // host page never scrolls.
  var current = "";
  function showFormTop() {
    var wrap = document.getElementById("lc-offline-wrap");
    var scroller = document.getElementById("lc-body");
    if (current && wrap && !wrap.hidden && scroller) {
      scroller.scrollTop += wrap.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 8;
    }
  }

  function schedule(hours) {
    clearTimeout(timer);
    var next = hours.open === false ? hours.opens_at : hours.closes_at;
    var at = typeof next === "string" ? Date.parse(next) : NaN;
    if (isNaN(at)) return;
    // A few seconds late, and spread, so that every widget of a site does not ask at once.
    var delay = Math.max(5000, at - Date.now() + 2000 + Math.random() * 8000);
    timer = setTimeout(function () { W.send({ type: "hours" }); }, Math.min(delay, MAX_DELAY));
  }

  function update(frame) {
    var hours = frame && frame.hours;
    if (!hours || typeof hours !== "object") return;
    show(hours);
    schedule(hours);
  }

  W.on("hello", update);
  W.on("presence", update); // chat's own presence frames carry no hours: left as they are
  W.on("resumed", showFormTop);
  W.on("unavailable", function () { clearTimeout(timer); });
})();
