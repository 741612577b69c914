/* The frame's page (templates/chat/widget.html): its settings from <body data-*>, the
 * elements the widget drives, its colour and its scrolling. */

const body = document.body;
const COLOR_RE = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

/** Settings of this frame; maxLength and frameMaxBytes are replaced by the server's hello. */
export const cfg = {
  key: body.dataset.site,
  wsPath: body.dataset.wsPath,
  color: COLOR_RE.test(body.dataset.color || "") ? body.dataset.color : "#2563eb",
  maxLength: parseInt(body.dataset.maxLength, 10) || 4000,
  frameMaxBytes: 32768,
};

/** Opened directly (not in an iframe): works on its own, handy for tests and links. */
export const standalone = window.parent === window;

export function $(id) { return document.getElementById(id); }

export const ui = {
  panel: $("lc-panel"),
  title: $("lc-title"),
  avatar: $("lc-avatar"),
  agent: $("lc-agent"),
  operator: $("lc-operator"),
  presence: $("lc-presence"),
  presenceText: $("lc-presence-text"),
  close: $("lc-close"),
  status: $("lc-status"),
  statusText: $("lc-status-text"),
  scroller: $("lc-body"),
  list: $("lc-messages"),
  offline: $("lc-offline"),
  typing: $("lc-typing"),
  typingText: $("lc-typing-text"),
  form: $("lc-composer"),
  error: $("lc-error"),
  input: $("lc-input"),
  send: $("lc-send"),
  hint: $("lc-hint"),
  hintText: $("lc-hint-text"),
  counter: $("lc-counter"),
  attach: $("lc-attach"),
  file: $("lc-file"),
};

/** The site's colour, and black or white text on it, whichever reads better. */
export function applyColor(color) {
  var root = document.documentElement;
  root.style.setProperty("--lc-color", color);
  var hex = color.slice(1);
  if (hex.length === 3) hex = hex.replace(/./g, "$&$&");
  var rgb = [0, 2, 4].map(function (i) { return parseInt(hex.substr(i, 2), 16) / 255; });
  var lin = rgb.map(function (c) { return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); });
  var luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  root.style.setProperty("--lc-on-color", luminance > 0.45 ? "#111827" : "#ffffff");
}

export function nearBottom() {
  var s = ui.scroller;
  return s.scrollHeight - s.scrollTop - s.clientHeight < 80;
}

export function scrollToBottom() {
  ui.scroller.scrollTop = ui.scroller.scrollHeight;
}
