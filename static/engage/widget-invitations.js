/*
 * Proactive invitations in the chat frame (docs/engagement.md), on top of widget.js.
 *
 * hello.invitations brings the site's active rules with their texts filled in, and what
 * the browser cannot know (visit number, time on the site, what this visitor was shown
 * before). Every second the rules are checked here (static/engage/rules-match.js) against
 * the page the host reports, timers and the visit's facts: no server work per page view.
 * When a rule is due the widget asks the server (`invitation_shown`, which re-checks how
 * often it may show and records it) and, if allowed, shows the text in the conversation
 * and as a bubble over the closed launcher or by opening the chat. The visitor's first
 * message then carries "invitation", and the dialog opens with that text.
 * Closing the bubble (`invitation_closed`) ends invitations for the visit.
 * Text from the server is shown with textContent only.
 */
(function () {
  "use strict";

  var W = window.LiveWidget;
  var R = window.LiveInvitationRules;
  if (!W || !R) return;
  var list = document.getElementById("lc-messages");
  var T = (document.getElementById("lc-invitations-i18n") || { dataset: {} }).dataset;
  var loadedAt = Date.now();

  var rules = [];
  var history = { shownThisVisit: [], lastShown: {}, closedThisVisit: false, inDialog: false };
  var visit = { number: 0, secondsOnSite: 0, at: loadedAt };
  var env = { hoursOpen: true, operatorsOnline: true };
  var page = { url: null, since: loadedAt };
  var heldSince = {};
  var pending = null; // the rule asked of the server, until it answers
  var shown = null; // {rule, el}: the invitation in the conversation, until answered or closed
  var timer = null;
  var replayed = false; // the history is on screen: an invitation goes after it
  var pendingRule = null; // hello's invitation shown on an earlier page, to show again

  function isId(value) {
    return typeof value === "number" && value > 0 && Math.floor(value) === value;
  }

  function isRule(rule) {
    return rule && typeof rule === "object" && isId(rule.id) && typeof rule.text === "string"
      && rule.text && rule.conditions && typeof rule.conditions === "object";
  }

  function onHello(frame) {
    var part = frame.invitations;
    if (!part || typeof part !== "object" || !Array.isArray(part.rules)) return;
    rules = part.rules.filter(isRule);
    visit.number = typeof part.visit_number === "number" ? part.visit_number : 0;
    visit.secondsOnSite = typeof part.seconds_on_site === "number" ? part.seconds_on_site : 0;
    visit.at = Date.now();
    (Array.isArray(part.shown_this_visit) ? part.shown_this_visit : []).forEach(function (id) {
      if (isId(id) && history.shownThisVisit.indexOf(id) === -1) history.shownThisVisit.push(id);
    });
    var last = part.last_shown && typeof part.last_shown === "object" ? part.last_shown : {};
    Object.keys(last).forEach(function (id) {
      var at = Date.parse(last[id]);
      if (!isNaN(at)) history.lastShown[id] = Math.max(history.lastShown[id] || 0, at);
    });
    history.closedThisVisit = history.closedThisVisit || part.closed_this_visit === true;
    env.hoursOpen = !(frame.hours && typeof frame.hours === "object" && frame.hours.open === false);
    env.operatorsOnline = frame.operators_online !== false;
    pending = null;
    replayed = false;
    // Shown on an earlier page of this visit and not answered yet: still there to answer.
    pendingRule = !shown && isRule(part.pending) ? part.pending : null;
    if (!timer && rules.length) timer = setInterval(tick, 1000);
  }

  function onResumed() {
    replayed = true;
    if (pendingRule && !shown) show(pendingRule, { quiet: true });
    pendingRule = null;
    tick();
  }

  function device() {
    var ua = navigator.userAgent || "";
    var small = window.screen && Math.min(window.screen.width, window.screen.height) <= 600;
    return /Mobi|iPhone|iPod|Android.+Mobile/.test(ua) || small ? "phone" : "desktop";
  }

  function facts(now) {
    var where = W.page();
    var url = where && typeof where.url === "string" ? where.url : "";
    if (url !== page.url) {
      // A new page of a single-page site; a full page load reloads this frame.
      if (page.url !== null) page.since = now;
      page.url = url;
      heldSince = {};
    }
    var host = W.visit();
    return {
      url: url,
      secondsOnPage: Math.floor((now - page.since) / 1000),
      secondsOnSite: visit.secondsOnSite + Math.floor((now - visit.at) / 1000),
      pagesSeen: Math.max(1, host.pages || 0),
      visitNumber: visit.number,
      referrer: host.referrer || "",
      utm: host.utm || {},
      device: device(),
      languages: navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ""],
      hoursOpen: env.hoursOpen,
      operatorsOnline: env.operatorsOnline,
    };
  }

  function tick() {
    if (!rules.length || !replayed || pending !== null || shown) return;
    var now = Date.now();
    var dialog = W.dialog();
    history.inDialog = !!dialog && dialog.status !== "closed";
    var current = facts(now);
    var held = {};
    R.matching(rules, current, history, now).forEach(function (rule) {
      held[rule.id] = heldSince[rule.id] || now;
    });
    heldSince = held;
    var rule = R.pick(rules, current, history, now, heldSince);
    if (rule && W.send({ type: "invitation_shown", rule: rule.id })) pending = rule.id;
  }

  function onShownAnswer(frame) {
    if (frame.rule !== pending) return;
    pending = null;
    var rule = rules.filter(function (r) { return r.id === frame.rule; })[0];
    history.shownThisVisit.push(frame.rule);
    if (frame.shown !== true || !rule) return; // another tab showed it, or it was paused
    history.lastShown[rule.id] = Date.now();
    show(rule, { quiet: false });
  }

  /** The invitation as an operator's message in the conversation (not stored yet), and
   * the visitor's next message answers it. quiet: no bubble and no opening. */
  function show(rule, options) {
    var li = document.createElement("li");
    li.className = "lc-msg lc-msg-operator lc-invitation";
    if (typeof rule.author === "string" && rule.author) {
      var author = document.createElement("div");
      author.className = "lc-author";
      author.textContent = rule.author;
      li.appendChild(author);
    }
    var bubble = document.createElement("div");
    bubble.className = "lc-bubble";
    bubble.textContent = rule.text;
    li.appendChild(bubble);
    list.appendChild(li); // after the replayed history (see onResumed)
    shown = { rule: rule, el: li };
    W.setOpening(rule.id);
    W.scrollToBottom();
    if (options.quiet || W.isOpen()) return;
    if (rule.display === "open") W.toHost({ livechat: "open" });
    else W.toHost({ livechat: "bubble", author: rule.author || "", text: rule.text, close: T.close || "" });
  }

  function dropShown() {
    if (!shown) return;
    shown.el.remove();
    shown = null;
    W.setOpening(null);
    W.toHost({ livechat: "bubble_hide" });
  }

  function onBubbleClosed() {
    if (!shown) return;
    W.send({ type: "invitation_closed", rule: shown.rule.id });
    history.closedThisVisit = true;
    dropShown();
  }

  // The stored opening message (chat/dialogs/openings.py) takes the local one's place:
  // before the visitor's answer, whose ack may have come first (the ack is the socket's
  // own answer, the message comes through the channel layer).
  function onMessage(frame) {
    var m = frame.message;
    if (!shown || !m || !m.author) return;
    if (m.author.kind === "operator" && m.text === shown.rule.text) {
      var stored = typeof m.id === "number" ? list.querySelector('.lc-msg[data-id="' + m.id + '"]') : null;
      if (stored && shown.el.parentNode === list) list.insertBefore(stored, shown.el);
      shown.el.remove();
      shown = null;
    } else if (m.author.kind === "visitor") {
      shown.el.classList.add("lc-invitation-answered");
    }
  }

  W.on("hello", onHello);
  W.on("resumed", onResumed);
  W.on("invitation_shown", onShownAnswer);
  W.on("error", function (frame) { if (frame.frame === "invitation_shown") pending = null; });
  W.on("presence", function (frame) { env.operatorsOnline = frame.operators_online !== false; });
  W.on("bubble_closed", onBubbleClosed);
  W.on("message", onMessage);
  W.on("unavailable", function () { rules = []; dropShown(); });
})();
