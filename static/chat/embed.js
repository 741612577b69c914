/*
 * Live chat embed loader.
 *
 *   <script src="https://CHAT-HOST/static/chat/embed.js" data-site="WIDGET_KEY" async></script>
 *
 * Adds a launcher button and the chat frame (an iframe served by the chat host) to the
 * page; the frame loads after the page's load event when the browser is idle, or at once
 * when the chat is opened (tests/e2e/test_widget_cost_in_browser.py; at most 10 KB
 * gzipped, tests/chat/test_loader_budget.py). The visitor token lives in THIS page's localStorage (third-party storage in the
 * iframe is blocked by browsers) and is handed to the frame over postMessage.
 *
 * Optional attributes on the script tag:
 *   data-color="#2563eb"   launcher colour until the frame reports the site's own colour
 *   data-label="Chat"      accessible label of the launcher
 *
 * Globals: window.LiveChat only (open(), close(), toggle(), isOpen()).
 * Styles are set through the CSSOM (element.style), so a host page's Content-Security-Policy
 * without 'unsafe-inline' styles does not break the widget.
 */
(function () {
  "use strict";

  if (window.LiveChat) {
    // The snippet is included twice (or another copy is running): do nothing again.
    return;
  }

  var SELF_SELECTOR = 'script[src*="/static/chat/embed.js"][data-site]';
  var script = document.currentScript;
  if (!script || !script.getAttribute("data-site")) {
    script = document.querySelector(SELF_SELECTOR);
  }
  if (!script) {
    return;
  }

  var KEY = script.getAttribute("data-site");
  var ORIGIN;
  try {
    ORIGIN = new URL(script.src, location.href).origin;
  } catch (e) {
    return;
  }
  var FRAME_URL = ORIGIN + "/widget/" + encodeURIComponent(KEY) + "/";
  var PREFIX = "livechat:" + KEY + ":";
  var UTM_KEYS = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"];
  var COLOR_RE = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
  var PHONE_QUERY = "(max-width: 480px)";
  var Z = "2147483000";

  var api = {
    version: 1,
    site: KEY,
    origin: ORIGIN,
    open: function () { setOpen(true); },
    close: function () { setOpen(false); },
    toggle: function () { setOpen(!state.open); },
    isOpen: function () { return state.open; },
  };
  try {
    Object.defineProperty(window, "LiveChat", { value: api, configurable: false, writable: false });
  } catch (e) {
    window.LiveChat = api;
  }

  // --- storage that never throws (Safari private mode, disabled storage) --------------

  var memory = {};
  function store(kind) {
    return {
      get: function (name) {
        try {
          return window[kind].getItem(PREFIX + name);
        } catch (e) {
          return memory[kind + name] === undefined ? null : memory[kind + name];
        }
      },
      set: function (name, value) {
        memory[kind + name] = value;
        try {
          window[kind].setItem(PREFIX + name, value);
        } catch (e) { /* memory copy kept */ }
      },
    };
  }
  var local = store("localStorage");
  var session = store("sessionStorage");

  // --- visit facts: UTM parameters and referrer of the landing page -------------------

  function landingFacts() {
    var utm = null;
    var saved = session.get("utm");
    if (saved !== null) {
      try { utm = JSON.parse(saved); } catch (e) { utm = null; }
    }
    if (!utm || typeof utm !== "object") {
      utm = {};
      var params = new URLSearchParams(location.search);
      UTM_KEYS.forEach(function (name) {
        var value = params.get(name);
        if (value) utm[name] = value.slice(0, 200);
      });
      session.set("utm", JSON.stringify(utm));
    }
    var referrer = session.get("referrer");
    if (referrer === null) {
      referrer = document.referrer || "";
      session.set("referrer", referrer);
    }
    return { utm: utm, referrer: referrer };
  }

  var state = {
    open: session.get("open") === "1",
    unread: 0,
    ready: false,
    color: COLOR_RE.test(script.getAttribute("data-color") || "") ? script.getAttribute("data-color") : "#2563eb",
    labels: {
      open: script.getAttribute("data-label") || "Open chat",
      close: "Close chat",
      title: "Chat",
    },
    lastPage: "",
    lastUrl: location.href,
    pages: countPage(),
  };
  var facts = landingFacts();

  // Pages seen in this visit (this tab's session): one more per page load and per SPA
  // navigation; the frame's invitation rules may ask for a number of them.
  function countPage() {
    var seen = parseInt(session.get("pages") || "0", 10);
    var pages = (seen > 0 && seen < 1e6 ? seen : 0) + 1;
    session.set("pages", String(pages));
    return pages;
  }

  // --- DOM ----------------------------------------------------------------------------

  var launcher, badge, iconChat, iconClose, frame, phone, bubble;

  function css(el, props) {
    for (var name in props) {
      if (Object.prototype.hasOwnProperty.call(props, name)) {
        el.style.setProperty(name, props[name], "important");
      }
    }
  }

  function svg(paths) {
    var ns = "http://www.w3.org/2000/svg";
    var el = document.createElementNS(ns, "svg");
    el.setAttribute("viewBox", "0 0 24 24");
    el.setAttribute("width", "28");
    el.setAttribute("height", "28");
    el.setAttribute("aria-hidden", "true");
    el.setAttribute("focusable", "false");
    paths.forEach(function (d) {
      var path = document.createElementNS(ns, "path");
      path.setAttribute("d", d);
      path.setAttribute("fill", "currentColor");
      el.appendChild(path);
    });
    css(el, { display: "block", position: "absolute", top: "16px", left: "16px",
              transition: "transform .2s ease, opacity .2s ease" });
    return el;
  }

  function build() {
    launcher = document.createElement("button");
    launcher.id = "livechat-launcher";
    launcher.type = "button";
    launcher.setAttribute("aria-controls", "livechat-frame");
    css(launcher, {
      all: "initial",
      position: "fixed",
      right: "20px",
      bottom: "20px",
      width: "60px",
      height: "60px",
      "border-radius": "50%",
      background: state.color,
      color: "#fff",
      cursor: "pointer",
      "box-shadow": "0 6px 20px rgba(0,0,0,.22), 0 2px 6px rgba(0,0,0,.12)",
      "z-index": Z,
      transition: "transform .15s ease, box-shadow .15s ease",
      "box-sizing": "border-box",
      display: "block",
    });
    iconChat = svg([
      "M12 3C6.5 3 2 6.8 2 11.5c0 2.4 1.2 4.6 3.1 6.1-.2 1.3-.8 2.6-1.9 3.6 2.2-.1 4-.9 5.3-1.9 1.1.3 2.3.5 3.5.5 5.5 0 10-3.8 10-8.5S17.5 3 12 3zm-4.5 9.8a1.3 1.3 0 1 1 0-2.6 1.3 1.3 0 0 1 0 2.6zm4.5 0a1.3 1.3 0 1 1 0-2.6 1.3 1.3 0 0 1 0 2.6zm4.5 0a1.3 1.3 0 1 1 0-2.6 1.3 1.3 0 0 1 0 2.6z",
    ]);
    iconClose = svg(["M7.4 8.6 12 13.2l4.6-4.6L18 10l-6 6-6-6z"]);
    launcher.appendChild(iconChat);
    launcher.appendChild(iconClose);

    badge = document.createElement("span");
    badge.id = "livechat-badge";
    badge.setAttribute("aria-hidden", "true");
    css(badge, {
      all: "initial",
      position: "absolute",
      top: "-4px",
      right: "-4px",
      "min-width": "22px",
      height: "22px",
      padding: "0 6px",
      "box-sizing": "border-box",
      "border-radius": "11px",
      background: "#ef4444",
      color: "#fff",
      border: "2px solid #fff",
      font: "700 12px/18px -apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif",
      "text-align": "center",
      display: "none",
    });
    launcher.appendChild(badge);

    launcher.addEventListener("click", function () { setOpen(!state.open); });
    launcher.addEventListener("mouseenter", function () {
      css(launcher, { transform: "scale(1.06)" });
    });
    launcher.addEventListener("mouseleave", function () {
      css(launcher, { transform: "none" });
    });

    frame = document.createElement("iframe");
    frame.id = "livechat-frame";
    frame.title = state.labels.title;
    frame.setAttribute("allow", "clipboard-write");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");

    document.body.appendChild(frame);
    document.body.appendChild(launcher);

    phone = window.matchMedia ? window.matchMedia(PHONE_QUERY) : null;
    if (phone) {
      var relayout = function () { layout(); };
      if (phone.addEventListener) phone.addEventListener("change", relayout);
      else if (phone.addListener) phone.addListener(relayout);
    }
    layout();
    // The frame (its page, styles, scripts and socket) costs the host page nothing while
    // it loads: it starts once the page has loaded and the browser is idle, or at once
    // when the chat is to show open (LiveChat.open(), or open when the visitor left the
    // previous page). Loaded before the visitor opens the chat, it still brings unread
    // counts and invitations to the closed launcher.
    if (state.open) loadFrame();
    else whenIdle(loadFrame);
  }

  function loadFrame() {
    // The listener is in place before the frame loads, so its "ready" cannot be missed.
    if (frame && !frame.src) frame.src = FRAME_URL;
  }

  function whenIdle(callback) {
    function idle() {
      if (window.requestIdleCallback) window.requestIdleCallback(callback, { timeout: 3000 });
      else setTimeout(callback, 200);
    }
    if (document.readyState === "complete") return idle();
    window.addEventListener("load", idle);
    // A page whose load never ends (a request that hangs) still gets its chat.
    setTimeout(idle, 15000);
  }

  function layout() {
    var isPhone = phone && phone.matches;
    // Nothing shows until the frame says it is ready: a wrong key or a server that is down
    // leaves the host page untouched instead of showing an error page in a panel.
    var open = state.open && state.ready;
    css(frame, {
      all: "initial",
      position: "fixed",
      "z-index": Z,
      border: "0",
      display: "block",
      background: "transparent",
      "color-scheme": "normal",
      transition: "opacity .18s ease, transform .18s ease, visibility 0s linear " + (open ? "0s" : ".18s"),
      opacity: open ? "1" : "0",
      visibility: open ? "visible" : "hidden",
      "pointer-events": open ? "auto" : "none",
      transform: open ? "none" : "translateY(16px) scale(.98)",
      "transform-origin": "bottom right",
    });
    if (isPhone) {
      css(frame, {
        top: "0", left: "0", right: "0", bottom: "0",
        width: "100%", height: "100%", "max-height": "none",
        "border-radius": "0", "box-shadow": "none",
      });
    } else {
      css(frame, {
        top: "auto", left: "auto", right: "20px", bottom: "92px",
        width: "360px", height: "560px",
        "max-width": "calc(100vw - 40px)", "max-height": "calc(100vh - 112px)",
        "border-radius": "16px",
        "box-shadow": "0 12px 48px rgba(15,23,42,.24), 0 2px 8px rgba(15,23,42,.12)",
      });
    }
    // On a phone the open frame covers the page and has its own close button.
    css(launcher, { display: !state.ready || (isPhone && open) ? "none" : "block", background: state.color });
    css(iconChat, { opacity: open ? "0" : "1", transform: open ? "rotate(-30deg) scale(.6)" : "none" });
    css(iconClose, { opacity: open ? "1" : "0", transform: open ? "none" : "rotate(30deg) scale(.6)" });
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    launcher.setAttribute("aria-label", open ? state.labels.close : state.labels.open);
    launcher.title = open ? state.labels.close : state.labels.open;
    frame.setAttribute("aria-hidden", open ? "false" : "true");
    frame.tabIndex = open ? 0 : -1;
  }

  function setUnread(count) {
    state.unread = count > 0 ? count : 0;
    badge.textContent = state.unread > 99 ? "99+" : String(state.unread);
    css(badge, { display: state.unread && !state.open ? "block" : "none" });
    var label = state.open ? state.labels.close : state.labels.open;
    if (state.unread && !state.open) label += " (" + state.unread + ")";
    launcher.setAttribute("aria-label", label);
  }

  function setOpen(open) {
    if (!launcher) {
      state.open = !!open;
      session.set("open", state.open ? "1" : "0");
      return;
    }
    open = !!open;
    if (open) loadFrame();
    var changed = open !== state.open;
    state.open = open;
    session.set("open", open ? "1" : "0");
    if (open) setUnread(0);
    if (open && bubble) {
      hideBubble(); // the launcher opened the chat: the invitation is in it
      post({ livechat: "bubble_opened" });
    }
    layout();
    setUnread(state.unread);
    if (changed) post({ livechat: open ? "open" : "close" });
    if (!open && changed && document.activeElement === frame) launcher.focus();
  }

  // --- talking to the frame -----------------------------------------------------------

  function post(message) {
    if (frame && frame.contentWindow && state.ready) {
      frame.contentWindow.postMessage(message, ORIGIN);
    }
  }

  function currentPage() {
    return { url: location.href, title: document.title || "" };
  }

  function sendInit() {
    var page = currentPage();
    state.lastPage = page.url + "\n" + page.title;
    frame.contentWindow.postMessage(
      {
        livechat: "init",
        token: local.get("token") || "",
        page: page,
        referrer: facts.referrer,
        utm: facts.utm,
        pages: state.pages,
        open: state.open,
      },
      ORIGIN
    );
  }

  var pageTimer = null;
  function reportPage() {
    clearTimeout(pageTimer);
    // SPAs usually set the title just after navigating: report a moment later.
    pageTimer = setTimeout(function () {
      var page = currentPage();
      var seen = page.url + "\n" + page.title;
      if (seen === state.lastPage) return;
      state.lastPage = seen;
      if (page.url !== state.lastUrl) {
        state.lastUrl = page.url;
        state.pages = countPage();
      }
      post({ livechat: "page", url: page.url, title: page.title, pages: state.pages });
    }, 150);
  }

  function watchNavigation() {
    ["pushState", "replaceState"].forEach(function (name) {
      var original = history[name];
      if (typeof original !== "function") return;
      history[name] = function () {
        var result = original.apply(this, arguments);
        reportPage();
        return result;
      };
    });
    window.addEventListener("popstate", reportPage);
    window.addEventListener("hashchange", reportPage);
    if (window.MutationObserver && document.head) {
      new MutationObserver(function (mutations) {
        for (var i = 0; i < mutations.length; i++) {
          var node = mutations[i].target;
          if (node.nodeName === "TITLE" || (node.parentNode && node.parentNode.nodeName === "TITLE")) {
            reportPage();
            return;
          }
          if (mutations[i].addedNodes) {
            for (var j = 0; j < mutations[i].addedNodes.length; j++) {
              if (mutations[i].addedNodes[j].nodeName === "TITLE") {
                reportPage();
                return;
              }
            }
          }
        }
      }).observe(document.head, { subtree: true, childList: true, characterData: true });
    }
  }

  function onMessage(event) {
    if (!frame || event.source !== frame.contentWindow || event.origin !== ORIGIN) return;
    var data = event.data;
    if (!data || typeof data !== "object" || typeof data.livechat !== "string") return;
    switch (data.livechat) {
      case "ready":
        state.ready = true;
        if (typeof data.color === "string" && COLOR_RE.test(data.color)) state.color = data.color;
        if (data.labels && typeof data.labels === "object") {
          ["open", "close", "title"].forEach(function (name) {
            if (typeof data.labels[name] === "string" && data.labels[name]) {
              state.labels[name] = data.labels[name].slice(0, 100);
            }
          });
          frame.title = state.labels.title;
        }
        layout();
        setUnread(state.unread);
        sendInit();
        break;
      case "token":
        if (typeof data.token === "string" && data.token && data.token.length <= 128) {
          local.set("token", data.token);
        }
        break;
      case "unread":
        if (!state.open) {
          var count = typeof data.count === "number" ? data.count : state.unread + 1;
          setUnread(count);
        }
        break;
      case "open":
        setOpen(true);
        break;
      case "close":
        setOpen(false);
        break;
      case "bubble":
        showBubble(data);
        break;
      case "bubble_hide":
        hideBubble();
        break;
    }
  }

  // --- the bubble: a message over the closed launcher (a proactive invitation) --------
  //
  // frame -> parent {livechat:"bubble", author, text} shows it, {livechat:"bubble_hide"}
  // removes it; the visitor's click on it opens the chat (parent -> frame "bubble_opened"),
  // its close button tells the frame "bubble_closed". Text only, set with textContent.

  function showBubble(data) {
    if (typeof data.text !== "string" || !data.text || state.open) return;
    hideBubble();
    bubble = document.createElement("div");
    bubble.id = "livechat-bubble";
    bubble.setAttribute("role", "dialog");
    bubble.setAttribute("aria-live", "polite");
    css(bubble, {
      all: "initial",
      position: "fixed",
      right: "20px",
      bottom: "92px",
      width: "280px",
      "max-width": "calc(100vw - 40px)",
      "box-sizing": "border-box",
      padding: "14px 36px 14px 16px",
      background: "#fff",
      color: "#111827",
      "border-radius": "14px",
      "box-shadow": "0 12px 36px rgba(15,23,42,.22), 0 2px 8px rgba(15,23,42,.12)",
      font: "14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
      cursor: "pointer",
      "z-index": Z,
      display: "block",
    });
    if (typeof data.author === "string" && data.author) {
      var author = document.createElement("div");
      author.textContent = data.author.slice(0, 100);
      css(author, { all: "initial", display: "block", font: "600 12px/1.4 system-ui, sans-serif",
                    color: "#6b7280", "margin-bottom": "4px" });
      bubble.appendChild(author);
    }
    var text = document.createElement("div");
    text.textContent = data.text.slice(0, 1000);
    css(text, { all: "initial", display: "block", font: "inherit", color: "inherit",
                "white-space": "pre-wrap", "overflow-wrap": "anywhere" });
    bubble.appendChild(text);
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "\u00d7";
    var closeLabel = typeof data.close === "string" && data.close ? data.close.slice(0, 100) : "Close";
    close.setAttribute("aria-label", closeLabel);
    close.title = closeLabel;
    css(close, { all: "initial", position: "absolute", top: "4px", right: "6px", width: "28px",
                 height: "28px", font: "20px/28px system-ui, sans-serif", color: "#6b7280",
                 "text-align": "center", cursor: "pointer" });
    close.addEventListener("click", function (event) {
      event.stopPropagation();
      hideBubble();
      post({ livechat: "bubble_closed" });
    });
    bubble.appendChild(close);
    bubble.addEventListener("click", function () {
      hideBubble();
      post({ livechat: "bubble_opened" });
      setOpen(true);
    });
    document.body.appendChild(bubble);
  }

  function hideBubble() {
    if (bubble) {
      bubble.remove();
      bubble = null;
    }
  }

  function start() {
    window.addEventListener("message", onMessage);
    build();
    watchNavigation();
  }

  if (document.body) {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
