/* Console attachments: the paperclip of the composer (templates/chat/dialog.html).
 * Files go up over HTTP (multipart, CSRF header); the stored message then arrives on the
 * socket like any other and console.js swaps it in for the pending bubble shown here
 * (matched by data-client-id). Pasting or dropping a file into the composer sends it too. */
(function () {
  "use strict";

  var form = document.getElementById("composer");
  var button = document.getElementById("composer-attach");
  var input = document.getElementById("composer-file");
  var transcript = document.getElementById("transcript");
  if (!form || !button || !input || !transcript || !window.LiveConsole) return;

  var text = document.getElementById("composer-text");
  var errorBox = document.getElementById("composer-error");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
  var opts = button.dataset;
  var maxBytes = Number(opts.maxBytes) || 0;
  var errorTimer = null;

  var humanSize = window.humanSize; // static/chat/human-size.js

  function newClientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function showError(detail) {
    if (!errorBox) return;
    errorBox.textContent = detail;
    errorBox.hidden = false;
    clearTimeout(errorTimer);
    errorTimer = setTimeout(function () { errorBox.hidden = true; }, 8000);
  }

  function pendingNode(clientId, file, caption) {
    var node = document.createElement("div");
    node.className = "msg msg-operator msg-pending msg-upload";
    node.dataset.clientId = clientId;
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    var att = document.createElement("div");
    att.className = "att att-file";
    var icon = document.createElement("span");
    icon.className = "att-icon";
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = "📄";
    var name = document.createElement("span");
    name.className = "att-name";
    name.textContent = file.name;
    var size = document.createElement("span");
    size.className = "att-size";
    size.textContent = "· " + humanSize(file.size);
    att.append(icon, name, size);
    var bar = document.createElement("div");
    bar.className = "upload-progress";
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "100");
    bar.appendChild(document.createElement("span"));
    bubble.append(att, bar);
    if (caption) {
      var p = document.createElement("div");
      p.className = "msg-text";
      p.textContent = caption;
      bubble.appendChild(p);
    }
    node.appendChild(bubble);
    return node;
  }

  function setProgress(node, fraction) {
    var bar = node.querySelector(".upload-progress");
    if (!bar) return;
    var percent = Math.round(fraction * 100);
    bar.firstChild.style.width = percent + "%";
    bar.setAttribute("aria-valuenow", String(percent));
  }

  function fail(node, detail) {
    node.classList.add("msg-failed");
    var bar = node.querySelector(".upload-progress");
    if (bar) bar.remove();
    showError(detail || opts.failed);
  }

  function send(entry) {
    var data = new FormData();
    data.append("client_id", entry.clientId);
    data.append("text", entry.caption);
    data.append("file", entry.file, entry.file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", opts.url);
    if (csrf) xhr.setRequestHeader("X-CSRFToken", csrf.value);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.upload.onprogress = function (event) {
      if (event.lengthComputable) setProgress(entry.node, event.loaded / event.total);
    };
    xhr.onload = function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { /* an HTML error page */ }
      if (xhr.status === 200 && body && body.ack) {
        // The message may have come over the socket first and replaced the bubble already.
        if (transcript.querySelector('.msg[data-id="' + body.ack.id + '"]')) entry.node.remove();
        else entry.node.classList.add("msg-acked");
        return;
      }
      if (xhr.status >= 500 && entry.tries < 2) return retry(entry);
      fail(entry.node, body && body.detail);
    };
    xhr.onerror = function () {
      if (entry.tries < 2) retry(entry); else fail(entry.node);
    };
    entry.tries += 1;
    xhr.send(data);
  }

  function retry(entry) {
    // The same client_id: if the first try was stored after all, nothing is stored twice.
    setTimeout(function () { send(entry); }, 1500);
  }

  function upload(file) {
    if (maxBytes && file.size > maxBytes) {
      showError(opts.tooBig);
      return;
    }
    var caption = text ? text.value.trim() : "";
    if (caption && text.maxLength > 0 && caption.length > text.maxLength) caption = "";
    if (caption) text.value = "";
    var entry = { clientId: newClientId(), file: file, caption: caption, tries: 0 };
    entry.node = pendingNode(entry.clientId, file, caption);
    transcript.appendChild(entry.node);
    transcript.scrollTop = transcript.scrollHeight;
    send(entry);
  }

  button.addEventListener("click", function () { input.click(); });
  input.addEventListener("change", function () {
    Array.prototype.forEach.call(input.files, upload);
    input.value = "";
  });
  if (text) {
    text.addEventListener("paste", function (event) {
      var files = event.clipboardData && event.clipboardData.files;
      if (files && files.length) {
        event.preventDefault();
        Array.prototype.forEach.call(files, upload);
      }
    });
  }
  form.addEventListener("dragover", function (event) {
    if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
      event.preventDefault();
      form.classList.add("composer-drop");
    }
  });
  form.addEventListener("dragleave", function () { form.classList.remove("composer-drop"); });
  form.addEventListener("drop", function (event) {
    form.classList.remove("composer-drop");
    if (event.dataTransfer && event.dataTransfer.files.length) {
      event.preventDefault();
      Array.prototype.forEach.call(event.dataTransfer.files, upload);
    }
  });
})();
