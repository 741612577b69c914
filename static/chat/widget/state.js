/* What the widget knows at this moment: one object the modules share. */

import { standalone } from "./frame.js";

export const state = {
  initialised: false,
  readUpTo: 0, // an operator has seen the visitor's messages up to this id
  parentOrigin: null,
  token: "",
  page: null,
  referrer: "",
  utm: {},
  pages: 0, // pages the visitor has seen in this visit of the host page's tab (embed.js)
  // What the visitor's first message answers (an invitation of static/engage/): sent with
  // it as "invitation", so the dialog opens with that text (chat/dialogs/openings.py).
  opening: null,
  open: standalone,
  ws: null,
  ready: false, // hello received on the current socket
  stopped: false, // the server refused us for good (unknown site, blocked IP): stop trying
  attempt: 0,
  plannedInARow: 0, // 4012 closes since the last hello (socket.js reconnectPlanned)
  everConnected: false,
  reconnectTimer: null,
  connectingTimer: null,
  lastId: 0, // highest stored message id shown
  // The resume cursor: the end of the last replay. Not lastId: acks and live messages
  // can pass a message whose live event was lost (docs/protocol.md, Resume).
  resumeAfter: 0,
  shown: Object.create(null), // id -> element
  outbox: [], // [{clientId, text, el, sentAt, tries}] in the order written
  dialog: null,
  operatorsOnline: true,
  replaying: false,
  firstReplayDone: false,
  unread: 0,
  typingSent: false,
  typingSentAt: 0,
  typingIdleTimer: null,
  typingPreview: false, // hello.site.typing_preview: the draft may leave the browser
  previewTimer: null, // the pending (trailing) draft frame
  operatorTypingTimer: null,
  errorTimer: null,
};
