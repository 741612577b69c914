/* Attachments the visitor sends (docs/protocol.md, Attachments). Files go up over HTTP
 * (multipart, the visitor token in a header), not the socket; the stored message then
 * arrives as an ordinary "message" frame and replaces the pending bubble (matched by
 * client_id). */

import { cfg, ui, scrollToBottom } from "./frame.js";
import { state } from "./state.js";
import { T, attachCfg } from "./strings.js";
import { fileBlock } from "./attachment-blocks.js";
import { appendText, regroup } from "./render.js";
import { newClientId, onInputChanged } from "./composer.js";
import { stopTyping } from "./typing.js";
import { noteDialogOf } from "./header.js";
import { showError, hideError } from "./notices.js";

const url = attachCfg.url;
const maxBytes = parseInt(attachCfg.maxBytes, 10) || 0;
const uploads = Object.create(null); // client_id -> {el, file, caption, tries}

// The file's own refusals (too large, wrong type, damaged) are written for the visitor
// in his language; anything else gets the widget's words.
const FILE_ERRORS = {
  too_large: 1, image_too_large: 1, no_file: 1, empty_file: 1, bad_image: 1, type_not_allowed: 1,
};

/** Removes the pending bubble of an upload (its stored message is shown, or the chat is gone). */
export function dropUpload(clientId) {
  var entry = typeof clientId === "string" ? uploads[clientId] : null;
  if (!entry) return;
  delete uploads[clientId];
  entry.el.remove();
}

export function dropAllUploads() {
  Object.keys(uploads).forEach(dropUpload);
}

function startUpload(file) {
  if (state.stopped) return;
  if (maxBytes && file.size > maxBytes) {
    showError(attachCfg.tooBig || "");
    return;
  }
  hideError();
  var caption = ui.input.value.trim();
  if (Array.from(caption).length > cfg.maxLength) caption = "";
  if (caption) {
    ui.input.value = "";
    onInputChanged();
    stopTyping();
  }
  var clientId = newClientId();
  var li = document.createElement("li");
  li.className = "lc-msg lc-msg-visitor lc-pending lc-local lc-upload";
  li.setAttribute("aria-busy", "true");
  li.dataset.clientId = clientId;
  var block = fileBlock(file.name, file.size, null);
  var bar = document.createElement("div");
  bar.className = "lc-progress";
  bar.setAttribute("role", "progressbar");
  bar.setAttribute("aria-valuemin", "0");
  bar.setAttribute("aria-valuemax", "100");
  bar.appendChild(document.createElement("span"));
  block.appendChild(bar);
  li.appendChild(block);
  if (caption) {
    var bubble = document.createElement("div");
    bubble.className = "lc-bubble";
    appendText(bubble, caption);
    li.appendChild(bubble);
  }
  var meta = document.createElement("time");
  meta.className = "lc-meta";
  meta.textContent = attachCfg.uploading || T.sending;
  li.appendChild(meta);
  ui.list.appendChild(li);
  regroup(li);
  scrollToBottom();
  var entry = { clientId: clientId, el: li, file: file, caption: caption, tries: 0 };
  uploads[clientId] = entry;
  sendUpload(entry);
}

function sendUpload(entry) {
  if (uploads[entry.clientId] !== entry) return; // stored meanwhile
  if (!state.token) {
    // No hello yet, so no visitor token: try again shortly.
    setTimeout(function () { sendUpload(entry); }, 1000);
    return;
  }
  var form = new FormData();
  form.append("client_id", entry.clientId);
  form.append("text", entry.caption);
  form.append("file", entry.file, entry.file.name);
  var xhr = new XMLHttpRequest();
  xhr.open("POST", url);
  xhr.setRequestHeader("X-Visitor-Token", state.token);
  xhr.upload.onprogress = function (event) {
    if (!event.lengthComputable) return;
    var percent = Math.round((event.loaded / event.total) * 100);
    var bar = entry.el.querySelector(".lc-progress");
    if (bar) {
      bar.firstChild.style.width = percent + "%";
      bar.setAttribute("aria-valuenow", String(percent));
    }
  };
  xhr.onload = function () {
    var body = null;
    try { body = JSON.parse(xhr.responseText); } catch (e) { /* not our JSON */ }
    if (xhr.status === 200 && body && body.ack && typeof body.ack.id === "number") {
      if (state.shown[body.ack.id]) dropUpload(entry.clientId);
      else noteDialogOf(body.ack.dialog, true); // the message frame is on its way
      return;
    }
    if ((xhr.status >= 500 || xhr.status === 0) && entry.tries < 3) return retryUpload(entry);
    failUpload(entry, uploadErrorText(body));
  };
  xhr.onerror = function () {
    if (entry.tries < 3) retryUpload(entry);
    else failUpload(entry, attachCfg.failed);
  };
  entry.tries += 1;
  xhr.send(form);
}

function retryUpload(entry) {
  // Same client_id: a try that was stored after all is not stored twice.
  setTimeout(function () { sendUpload(entry); }, 1000 * entry.tries);
}

function uploadErrorText(body) {
  if (body && FILE_ERRORS[body.code] && typeof body.detail === "string") return body.detail;
  if (body && body.code === "rate_limited") return T.rateLimited;
  return attachCfg.failed;
}

function failUpload(entry, detail) {
  delete uploads[entry.clientId];
  var el = entry.el;
  el.classList.remove("lc-pending");
  el.classList.add("lc-failed");
  el.removeAttribute("aria-busy");
  var bar = el.querySelector(".lc-progress");
  if (bar) bar.remove();
  el.querySelector(".lc-meta").textContent = T.notSent;
  showError(detail || "");
}

/** The attach button, the file picker and pasted files; no button without an upload URL. */
export function bindAttachments() {
  if (!ui.attach || !ui.file || !url) {
    if (ui.attach) ui.attach.hidden = true;
    return;
  }
  ui.attach.addEventListener("click", function () { ui.file.click(); });
  ui.file.addEventListener("change", function () {
    Array.prototype.forEach.call(ui.file.files, startUpload);
    ui.file.value = "";
  });
  ui.input.addEventListener("paste", function (event) {
    var files = event.clipboardData && event.clipboardData.files;
    if (files && files.length) {
      event.preventDefault();
      Array.prototype.forEach.call(files, startUpload);
    }
  });
}
