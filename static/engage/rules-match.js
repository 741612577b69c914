/*
 * Proactive invitations: which rule, if any, the widget shows now (docs/engagement.md,
 * "Proactive invitations"). Pure functions over plain data, shared by the widget
 * (static/engage/widget-invitations.js, as window.LiveInvitationRules) and node's tests
 * (tests/engage/rules-match.test.mjs, through require).
 *
 * No regular expression is ever built from a rule: a page pattern knows only * (any text)
 * and ? (one character) and is matched by hand, in at most len(pattern) * len(address)
 * steps, whatever the pattern (no ReDoS).
 *
 * rule:    {id, priority, conditions: {...}, delay, frequency, days}  (hello.invitations.rules)
 * facts:   {url, secondsOnPage, secondsOnSite, pagesSeen, visitNumber, referrer,
 *           utm: {utm_source, ...}, device: "desktop"|"phone", languages: ["ru-RU", ...],
 *           hoursOpen: bool, operatorsOnline: bool}
 * history: {shownThisVisit: [ids], lastShown: {id: epoch ms}, closedThisVisit: bool,
 *           inDialog: bool}
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) module.exports = factory();
  else root.LiveInvitationRules = factory();
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var DAY_MS = 24 * 3600 * 1000;

  function lower(value) {
    return typeof value === "string" ? value.toLowerCase() : "";
  }

  /** Does text match pattern (* any run of characters, ? exactly one), ignoring case?
   * The classic two-pointer walk: on a mismatch it goes back only to the last star. */
  function globMatch(pattern, text) {
    pattern = lower(pattern);
    text = lower(text);
    var p = 0, t = 0, star = -1, mark = 0;
    while (t < text.length) {
      if (p < pattern.length && (pattern[p] === "?" || pattern[p] === text[t])) {
        p++; t++;
      } else if (p < pattern.length && pattern[p] === "*") {
        star = p++; mark = t;
      } else if (star !== -1) {
        p = star + 1; t = ++mark;
      } else {
        return false;
      }
    }
    while (p < pattern.length && pattern[p] === "*") p++;
    return p === pattern.length;
  }

  /** The address a pattern is compared with: without its #fragment; a pattern that starts
   * with "/" is compared with the path and query only (no scheme and host). */
  function subjectFor(pattern, url) {
    url = typeof url === "string" ? url.split("#")[0] : "";
    if (pattern.charAt(0) !== "/") return url;
    var scheme = url.indexOf("://");
    if (scheme === -1) return url;
    var slash = url.indexOf("/", scheme + 3);
    return slash === -1 ? "/" : url.slice(slash);
  }

  function urlMatches(how, pattern, url) {
    if (!how || how === "any") return true;
    pattern = typeof pattern === "string" ? pattern : "";
    var subject = lower(subjectFor(pattern, url));
    if (how === "contains") return subject.indexOf(lower(pattern)) !== -1;
    if (how === "equals") return subject === lower(pattern);
    if (how === "glob") return globMatch(pattern, subject);
    return false; // a kind this widget does not know: never shown by mistake
  }

  function atLeast(needed, value) {
    return needed == null || (typeof value === "number" && value >= needed);
  }

  function sameText(needed, value) {
    return !needed || lower(needed) === lower(value);
  }

  function languageMatches(codes, languages) {
    if (!codes || !codes.length) return true;
    return (languages || []).some(function (language) {
      var base = lower(language).split("-")[0];
      return codes.some(function (code) {
        code = lower(code);
        return code === lower(language) || code === base;
      });
    });
  }

  /** The checks of a rule's conditions, in order; an empty condition is not checked. */
  var CHECKS = [
    ["url", function (c, f) { return urlMatches(c.url_match, c.url_pattern, f.url); }],
    ["seconds_on_page", function (c, f) { return atLeast(c.seconds_on_page, f.secondsOnPage); }],
    ["seconds_on_site", function (c, f) { return atLeast(c.seconds_on_site, f.secondsOnSite); }],
    ["pages_seen", function (c, f) { return atLeast(c.pages_seen, f.pagesSeen); }],
    ["visit_kind", function (c, f) {
      if (!c.visit_kind || c.visit_kind === "any") return true;
      if (typeof f.visitNumber !== "number") return false;
      return c.visit_kind === "first" ? f.visitNumber <= 1 : f.visitNumber > 1;
    }],
    ["referrer", function (c, f) {
      return !c.referrer_contains || lower(f.referrer).indexOf(lower(c.referrer_contains)) !== -1;
    }],
    ["utm_source", function (c, f) { return sameText(c.utm_source, (f.utm || {}).utm_source); }],
    ["utm_medium", function (c, f) { return sameText(c.utm_medium, (f.utm || {}).utm_medium); }],
    ["utm_campaign", function (c, f) { return sameText(c.utm_campaign, (f.utm || {}).utm_campaign); }],
    ["device", function (c, f) { return !c.device || c.device === "any" || c.device === f.device; }],
    ["languages", function (c, f) { return languageMatches(c.languages, f.languages); }],
    ["hours", function (c, f) {
      if (!c.hours || c.hours === "any") return true;
      return c.hours === "open" ? f.hoursOpen !== false : f.hoursOpen === false;
    }],
    ["operator_online", function (c, f) { return !c.operator_online || f.operatorsOnline === true; }],
  ];

  /** The name of the first condition of rule that does not hold, or null when all do. */
  function firstFailing(rule, facts) {
    var conditions = rule.conditions || {};
    for (var i = 0; i < CHECKS.length; i++) {
      if (!CHECKS[i][1](conditions, facts)) return CHECKS[i][0];
    }
    return null;
  }

  /** May rule be shown again, given what this visitor was shown before? */
  function frequencyAllows(rule, history, now) {
    var id = rule.id;
    if ((history.shownThisVisit || []).indexOf(id) !== -1) return false; // any frequency
    var last = (history.lastShown || {})[id];
    if (rule.frequency === "visitor") return last == null;
    if (rule.frequency === "days") {
      return last == null || now - last >= (rule.days || 1) * DAY_MS;
    }
    return true; // "visit": not shown in this visit
  }

  /** The rules that may be shown now, best first: their conditions hold, their frequency
   * allows, the visitor has not closed an invitation in this visit and is not chatting. */
  function matching(rules, facts, history, now) {
    if (history.closedThisVisit || history.inDialog) return [];
    return rules
      .filter(function (rule) {
        return firstFailing(rule, facts) === null && frequencyAllows(rule, history, now);
      })
      .sort(byPriority);
  }

  // Highest priority first; at equal priority the older rule (lower id).
  function byPriority(a, b) {
    return (b.priority || 0) - (a.priority || 0) || a.id - b.id;
  }

  /** The one rule to show, or null. heldSince: {id: epoch ms} since when each rule has
   * matched without a break; the chosen rule waits out its delay from then. */
  function pick(rules, facts, history, now, heldSince) {
    var best = matching(rules, facts, history, now)[0];
    if (!best) return null;
    var since = (heldSince || {})[best.id];
    if (since == null) since = now;
    return now - since >= (best.delay || 0) * 1000 ? best : null;
  }

  return {
    globMatch: globMatch,
    urlMatches: urlMatches,
    firstFailing: firstFailing,
    frequencyAllows: frequencyAllows,
    matching: matching,
    pick: pick,
  };
});
