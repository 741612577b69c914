// Table-driven tests of static/engage/rules-match.js, the widget's rule matching:
// every condition, priority, delay and frequency. Run: node --test tests/engage/
// (tests/engage/test_rules_match_js.py runs it with the Python suite).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const R = require("../../static/engage/rules-match.js");

const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);
const DAY = 24 * 3600 * 1000;

const FACTS = {
  url: "https://shop.example/delivery/moscow?utm_source=x#top",
  secondsOnPage: 25,
  secondsOnSite: 300,
  pagesSeen: 3,
  visitNumber: 2,
  referrer: "https://www.google.com/search?q=shop",
  utm: { utm_source: "Newsletter", utm_medium: "email", utm_campaign: "winter" },
  device: "desktop",
  languages: ["ru-RU", "en"],
  hoursOpen: true,
  operatorsOnline: true,
};
const NO_HISTORY = { shownThisVisit: [], lastShown: {}, closedThisVisit: false, inDialog: false };

function rule(conditions, extra) {
  return Object.assign({ id: 1, priority: 0, conditions: conditions, delay: 0, frequency: "visit" }, extra);
}

// [name, conditions, facts changed, expected: null (all hold) or the failing condition]
const CONDITIONS = [
  ["no conditions", {}, {}, null],
  ["contains", { url_match: "contains", url_pattern: "/DELIVERY/" }, {}, null],
  ["contains, other page", { url_match: "contains", url_pattern: "/payment" }, {}, "url"],
  ["equals a full address, fragment ignored", { url_match: "equals", url_pattern: "https://shop.example/delivery/moscow?utm_source=x" }, {}, null],
  ["equals a path", { url_match: "equals", url_pattern: "/delivery/moscow?utm_source=x" }, {}, null],
  ["equals, not a prefix", { url_match: "equals", url_pattern: "/delivery/" }, {}, "url"],
  ["glob *", { url_match: "glob", url_pattern: "*/delivery/*" }, {}, null],
  ["glob path", { url_match: "glob", url_pattern: "/delivery/*" }, {}, null],
  ["glob ?", { url_match: "glob", url_pattern: "/delivery/mos?ow*" }, {}, null],
  ["glob no match", { url_match: "glob", url_pattern: "/delivery/spb*" }, {}, "url"],
  ["unknown url kind never matches", { url_match: "regex", url_pattern: ".*" }, {}, "url"],
  ["time on page reached", { seconds_on_page: 20 }, {}, null],
  ["time on page not yet", { seconds_on_page: 20 }, { secondsOnPage: 19 }, "seconds_on_page"],
  ["time on site reached", { seconds_on_site: 300 }, {}, null],
  ["time on site not yet", { seconds_on_site: 301 }, {}, "seconds_on_site"],
  ["pages seen reached", { pages_seen: 3 }, {}, null],
  ["pages seen not yet", { pages_seen: 4 }, {}, "pages_seen"],
  ["returning visitor", { visit_kind: "returning" }, {}, null],
  ["returning, first visit", { visit_kind: "returning" }, { visitNumber: 1 }, "visit_kind"],
  ["first visit", { visit_kind: "first" }, { visitNumber: 1 }, null],
  ["first visit, returning", { visit_kind: "first" }, {}, "visit_kind"],
  ["visit number unknown", { visit_kind: "first" }, { visitNumber: undefined }, "visit_kind"],
  ["referrer contains", { referrer_contains: "GOOGLE." }, {}, null],
  ["referrer differs", { referrer_contains: "yandex" }, {}, "referrer"],
  ["referrer missing", { referrer_contains: "google" }, { referrer: "" }, "referrer"],
  ["utm source, any case", { utm_source: "newsletter" }, {}, null],
  ["utm source differs", { utm_source: "ads" }, {}, "utm_source"],
  ["utm medium", { utm_medium: "email" }, {}, null],
  ["utm medium differs", { utm_medium: "cpc" }, {}, "utm_medium"],
  ["utm campaign", { utm_campaign: "winter" }, {}, null],
  ["utm campaign missing", { utm_campaign: "winter" }, { utm: {} }, "utm_campaign"],
  ["desktop", { device: "desktop" }, {}, null],
  ["phone wanted", { device: "phone" }, {}, "device"],
  ["phone", { device: "phone" }, { device: "phone" }, null],
  ["language by base code", { languages: ["ru"] }, {}, null],
  ["language by full code", { languages: ["en-gb", "ru-ru"] }, {}, null],
  ["language absent", { languages: ["de", "fr"] }, {}, "languages"],
  ["inside business hours", { hours: "open" }, {}, null],
  ["inside hours, closed", { hours: "open" }, { hoursOpen: false }, "hours"],
  ["outside business hours", { hours: "closed" }, { hoursOpen: false }, null],
  ["outside hours, open", { hours: "closed" }, {}, "hours"],
  ["operator online", { operator_online: true }, {}, null],
  ["operator online, nobody", { operator_online: true }, { operatorsOnline: false }, "operator_online"],
  ["all at once", { url_match: "glob", url_pattern: "*delivery*", seconds_on_page: 20, pages_seen: 2, visit_kind: "returning", device: "desktop", hours: "open" }, {}, null],
  ["all at once, one fails", { url_match: "glob", url_pattern: "*delivery*", seconds_on_page: 20, pages_seen: 2, visit_kind: "first" }, {}, "visit_kind"],
];

for (const [name, conditions, changed, expected] of CONDITIONS) {
  test("condition: " + name, () => {
    assert.equal(R.firstFailing(rule(conditions), Object.assign({}, FACTS, changed)), expected);
  });
}

const GLOBS = [
  ["", "", true],
  ["", "a", false],
  ["*", "", true],
  ["*", "anything", true],
  ["a*c", "abbbc", true],
  ["a*c", "abbbd", false],
  ["a?c", "abc", true],
  ["a?c", "ac", false],
  ["*.pdf", "https://x/y.PDF", true],
  ["**a**b**", "xxaxxbxx", true],
  ["(a+)+$", "(a+)+$", true], // no pattern syntax but * and ?
  ["[ab]", "a", false],
];
for (const [pattern, text, expected] of GLOBS) {
  test(`glob ${JSON.stringify(pattern)} ~ ${JSON.stringify(text)}`, () => {
    assert.equal(R.globMatch(pattern, text), expected);
  });
}

test("glob: a hostile pattern on a long address takes linear-ish time, not exponential", () => {
  const pattern = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
  const text = "a".repeat(2000);
  const started = process.hrtime.bigint();
  assert.equal(R.globMatch(pattern, text), false);
  // Generous bound (a backtracking matcher takes hours here): a hang, not a speed claim.
  assert.ok(process.hrtime.bigint() - started < 5_000_000_000n);
});

// [name, rule extra, history, now, expected frequencyAllows]
const FREQUENCY = [
  ["visit: never shown", { frequency: "visit" }, {}, true],
  ["visit: shown in this visit", { frequency: "visit" }, { shownThisVisit: [1] }, false],
  ["visit: shown in an earlier visit", { frequency: "visit" }, { lastShown: { 1: NOW - 60000 } }, true],
  ["visitor: never shown", { frequency: "visitor" }, {}, true],
  ["visitor: shown a year ago", { frequency: "visitor" }, { lastShown: { 1: NOW - 365 * DAY } }, false],
  ["days: shown 2 days ago, every 3", { frequency: "days", days: 3 }, { lastShown: { 1: NOW - 2 * DAY } }, false],
  ["days: shown 3 days ago, every 3", { frequency: "days", days: 3 }, { lastShown: { 1: NOW - 3 * DAY } }, true],
  ["days: shown in this visit", { frequency: "days", days: 1 }, { shownThisVisit: [1] }, false],
  ["another rule's history does not count", { frequency: "visitor" }, { shownThisVisit: [2], lastShown: { 2: NOW } }, true],
];
for (const [name, extra, history, expected] of FREQUENCY) {
  test("frequency: " + name, () => {
    const h = Object.assign({}, NO_HISTORY, history);
    assert.equal(R.frequencyAllows(rule({}, extra), h, NOW), expected);
  });
}

const A = rule({ url_match: "contains", url_pattern: "delivery" }, { id: 1, priority: 5 });
const B = rule({}, { id: 2, priority: 10 });
const C = rule({ url_match: "contains", url_pattern: "payment" }, { id: 3, priority: 50 });
const D = rule({}, { id: 4, priority: 10 });
const E = rule({}, { id: 5, priority: 100, delay: 20 });

// [name, rules, history, heldSince, expected id or null]
const PICKS = [
  ["nothing", [], {}, {}, null],
  ["the highest priority of those that match", [A, B, C], {}, {}, 2],
  ["equal priority: the older rule", [D, B], {}, {}, 2],
  ["the best one already shown this visit: the next", [A, B], { shownThisVisit: [2] }, {}, 1],
  ["closed an invitation this visit: none", [A, B], { closedThisVisit: true }, {}, null],
  ["in a dialog: none", [A, B], { inDialog: true }, {}, null],
  ["its delay not over: wait (the best still wins later)", [A, E], {}, { 5: NOW - 19000 }, null],
  ["its delay over", [A, E], {}, { 5: NOW - 20000 }, 5],
  ["delay counts from now when not held before", [E], {}, {}, null],
];
for (const [name, rules, history, held, expected] of PICKS) {
  test("pick: " + name, () => {
    const h = Object.assign({}, NO_HISTORY, history);
    const picked = R.pick(rules, FACTS, h, NOW, held);
    assert.equal(picked ? picked.id : null, expected);
  });
}

test("matching lists every allowed rule, best first", () => {
  assert.deepEqual(R.matching([A, B, C, D], FACTS, NO_HISTORY, NOW).map((r) => r.id), [2, 4, 1]);
});
