/* Who is here: the colleagues who have this dialog open now ("Anna is viewing"), so two
 * operators do not answer the same question. Their typing shows in the typing line
 * (console.js). Nothing is stored: tabs announce themselves over the socket. */
(function () {
  "use strict";

  var HEARTBEAT_MS = 30000;
  var FORGET_AFTER_MS = 75000; // a tab that died without saying "left" misses 2 heartbeats

  var live = window.LiveConsole;
  var line = document.getElementById("viewers");
  if (!live || !live.dialogId || !line) return;
  var viewers = {}; // tab id -> {name, heardAt}

  function render() {
    var names = [];
    Object.keys(viewers).forEach(function (tab) {
      if (names.indexOf(viewers[tab].name) === -1) names.push(viewers[tab].name);
    });
    names.sort();
    var template = names.length === 1 ? line.dataset.one : line.dataset.many;
    line.textContent = names.length ? template.replace("%(names)s", names.join(", ")) : "";
    line.hidden = !names.length;
  }

  live.on("hello", function () { viewers = {}; render(); }); // they answer the new watch
  live.on("viewer", function (frame) {
    if (frame.dialog !== live.dialogId || !frame.operator) return;
    if (frame.state === "viewing") {
      viewers[frame.tab] = { name: String(frame.operator.name), heardAt: Date.now() };
    } else {
      delete viewers[frame.tab];
    }
    render();
  });

  setInterval(function () {
    live.send({ type: "here", dialog: live.dialogId });
    var now = Date.now();
    Object.keys(viewers).forEach(function (tab) {
      if (now - viewers[tab].heardAt > FORGET_AFTER_MS) delete viewers[tab];
    });
    render();
  }, HEARTBEAT_MS);
})();
