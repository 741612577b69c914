/* "Notifications on this device" in the console's avatar menu (push/, docs/operations.md
 * "Alerts and Web Push"): subscribes this browser to Web Push with the server's VAPID
 * public key and hands the subscription to the server, or drops it. The button stays
 * hidden where the browser has no PushManager. */
(function () {
  "use strict";

  var button = document.getElementById("push-toggle");
  if (!button) return;
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !window.Notification) return;
  button.hidden = false;
  var data = button.dataset;
  var state = button.querySelector(".push-state");

  function show(on, text) {
    button.setAttribute("aria-checked", on ? "true" : "false");
    state.textContent = text || (on ? data.on : data.off);
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response;
    });
  }

  // The VAPID public key (base64url) as the bytes PushManager.subscribe() takes.
  function keyBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    base64 += "===".slice((base64.length + 3) % 4);
    var raw = atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function pushManager() {
    return navigator.serviceWorker.ready.then(function (registration) {
      return registration.pushManager;
    });
  }

  function turnOn(manager) {
    return Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        show(false, data.denied);
        return null;
      }
      return manager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(data.key) })
        .then(function (subscription) { return post(data.subscribe, subscription.toJSON()); })
        .then(function () { show(true); });
    });
  }

  function turnOff(subscription) {
    return post(data.unsubscribe, { endpoint: subscription.endpoint })
      .then(function () { return subscription.unsubscribe(); })
      .then(function () { show(false); });
  }

  show(false, Notification.permission === "denied" ? data.denied : null);
  pushManager()
    .then(function (manager) { return manager.getSubscription(); })
    .then(function (subscription) { if (subscription) show(true); })
    .catch(function () { /* no worker: the item stays "off" */ });

  button.addEventListener("click", function () {
    button.disabled = true;
    pushManager()
      .then(function (manager) {
        return manager.getSubscription().then(function (subscription) {
          return subscription ? turnOff(subscription) : turnOn(manager);
        });
      })
      .catch(function () { show(false, Notification.permission === "denied" ? data.denied : null); })
      .then(function () { button.disabled = false; });
  });
})();
