/* The conversation's list (#lc-messages): a message's element, its time, its place among
 * the stored ones, runs of one author, and the "Read" mark. All text from the server goes
 * in with textContent, never as HTML. */

import { ui } from "./frame.js";
import { state } from "./state.js";
import { T, PAGE_LOCALE } from "./strings.js";
import { renderAttachment } from "./attachment-blocks.js";

const URL_RE = /\bhttps?:\/\/[^\s<>"']+/gi;

/** Plain text with clickable http(s) links; nothing is parsed as HTML. */
export function appendText(parent, text) {
  var last = 0;
  text.replace(URL_RE, function (url, offset) {
    var trimmed = url.replace(/[.,;:!?)\]]+$/, "");
    if (offset > last) parent.appendChild(document.createTextNode(text.slice(last, offset)));
    var a = document.createElement("a");
    a.href = trimmed;
    a.textContent = trimmed;
    a.target = "_blank";
    a.rel = "noopener noreferrer nofollow";
    parent.appendChild(a);
    last = offset + trimmed.length;
    return url;
  });
  if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
}

/** The <li> of a message (a protocol message, or {author, text} of one being sent). */
export function renderMessage(m) {
  var kind = m.author.kind === "operator" || m.author.kind === "system" ? m.author.kind : "visitor";
  var li = document.createElement("li");
  li.className = "lc-msg lc-msg-" + kind;
  if (typeof m.id === "number") li.dataset.id = String(m.id);
  if (kind === "system") {
    var line = document.createElement("span");
    line.className = "lc-system-text";
    line.textContent = m.text;
    li.appendChild(line);
    var sysMeta = document.createElement("time");
    sysMeta.className = "lc-meta";
    li.appendChild(sysMeta);
    if (m.sent_at) setTime(li, m.sent_at);
    return li;
  }
  if (kind === "operator" && typeof m.author.name === "string" && m.author.name) {
    var author = document.createElement("div");
    author.className = "lc-author";
    author.textContent = m.author.name;
    li.appendChild(author);
  }
  if (m.attachment && typeof m.attachment === "object") li.appendChild(renderAttachment(m.attachment));
  if (m.text || !m.attachment) {
    var bubble = document.createElement("div");
    bubble.className = "lc-bubble";
    appendText(bubble, m.text);
    li.appendChild(bubble);
  }
  var meta = document.createElement("time");
  meta.className = "lc-meta";
  li.appendChild(meta);
  if (m.sent_at) setTime(li, m.sent_at);
  return li;
}

/** Shows iso as the message's time; a local (not yet stored) time is not kept as sentAt. */
export function setTime(li, iso, local) {
  var meta = li.querySelector(".lc-meta");
  var date = new Date(iso);
  if (!meta || isNaN(date.getTime())) return;
  if (!local) li.dataset.sentAt = iso;
  meta.dateTime = date.toISOString();
  meta.textContent = formatTime(date);
  meta.title = date.toLocaleString(PAGE_LOCALE);
}

function formatTime(date) {
  var time = date.toLocaleTimeString(PAGE_LOCALE, { hour: "2-digit", minute: "2-digit" });
  var today = new Date();
  if (date.toDateString() === today.toDateString()) return time;
  var yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (date.toDateString() === yesterday.toDateString()) return T.yesterday + ", " + time;
  var sameYear = date.getFullYear() === today.getFullYear();
  return date.toLocaleDateString(PAGE_LOCALE, sameYear ? { day: "numeric", month: "short" }
    : { day: "numeric", month: "short", year: "numeric" }) + ", " + time;
}

/** Puts a stored message in its place: stored messages are ordered by id; local (pending
 * or failed) ones stay below them. */
export function placeStored(el, id) {
  var ref = null;
  for (var node = ui.list.lastElementChild; node; node = node.previousElementSibling) {
    if (node === el) continue;
    if (node.classList.contains("lc-local")) { ref = node; continue; }
    if (node.dataset.id && Number(node.dataset.id) > id) { ref = node; continue; }
    break;
  }
  if (el.nextElementSibling !== ref || el.parentNode !== ui.list) ui.list.insertBefore(el, ref);
  regroup(el);
  if (el.nextElementSibling) regroup(el.nextElementSibling);
}

function authorKey(el) {
  if (!el || !el.classList.contains("lc-msg") || el.classList.contains("lc-msg-system")) return "";
  if (el.classList.contains("lc-msg-visitor")) return "visitor";
  var name = el.querySelector(".lc-author");
  return "operator:" + (name ? name.textContent : "");
}

/** A run of messages from the same author sits closer; an operator's name shows once. */
export function regroup(el) {
  var key = authorKey(el);
  el.classList.toggle("lc-cont", !!key && key === authorKey(el.previousElementSibling));
}

/** "Read" under the visitor's last message an operator has seen (up to that id). */
export function setRead(upTo) {
  if (typeof upTo !== "number") return;
  state.readUpTo = Math.max(state.readUpTo, upTo);
  showRead();
}

export function showRead() {
  var old = ui.list.querySelector(".lc-read");
  if (old) old.remove();
  var own = ui.list.querySelectorAll(".lc-msg-visitor[data-id]");
  for (var i = own.length - 1; i >= 0; i--) {
    if (Number(own[i].dataset.id) <= state.readUpTo) {
      var mark = document.createElement("span");
      mark.className = "lc-read";
      mark.textContent = "✓✓ " + T.read;
      own[i].appendChild(mark);
      return;
    }
  }
}
