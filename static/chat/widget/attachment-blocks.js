/* How an attachment looks in a message: an image thumbnail linking to the full size, or a
 * file block (name and size) linking to the download. Only our own URLs are linked. */

import { nearBottom, scrollToBottom } from "./frame.js";
import { attachCfg } from "./strings.js";

const THUMB_BOX = 240;

/** A size as chat.attachments.human_size writes it, in the page's language: the console
 * shares static/chat/human-size.js, a classic script loaded before the modules. */
export function humanSize(bytes) {
  return window.humanSize(bytes);
}

function localUrl(url) {
  // Only our own paths ("/attachments/..."): never javascript: or another host.
  return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" ? url : null;
}

/** A file's block; a link when href is given, a plain block for an upload on its way. */
export function fileBlock(name, size, href) {
  var block = document.createElement(href ? "a" : "div");
  block.className = "lc-att lc-att-file";
  if (href) {
    block.href = href;
    block.target = "_blank";
    block.rel = "noopener noreferrer";
    block.setAttribute("download", name);
  }
  var icon = document.createElement("span");
  icon.className = "lc-att-icon";
  icon.setAttribute("aria-hidden", "true");
  var name_ = document.createElement("span");
  name_.className = "lc-att-name";
  name_.textContent = name;
  var size_ = document.createElement("span");
  size_.className = "lc-att-size";
  size_.textContent = "· " + humanSize(size);
  block.append(icon, name_, size_);
  return block;
}

/** The element for a message's "attachment" object (docs/protocol.md, Attachments). */
export function renderAttachment(a) {
  var name = typeof a.name === "string" ? a.name : "file";
  var url = localUrl(a.url);
  var thumb = localUrl(a.thumbnail_url);
  if (!a.is_image || !thumb || !url) {
    return fileBlock(name, typeof a.size === "number" ? a.size : 0, url);
  }
  var link = document.createElement("a");
  link.className = "lc-att lc-att-image";
  link.href = url;
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  link.title = attachCfg.openImage || "";
  var img = document.createElement("img");
  img.src = thumb;
  img.alt = name;
  img.loading = "lazy";
  if (a.width > 0 && a.height > 0) {
    var scale = Math.min(1, THUMB_BOX / a.width, THUMB_BOX / a.height);
    img.width = Math.max(1, Math.round(a.width * scale));
    img.height = Math.max(1, Math.round(a.height * scale));
  }
  img.addEventListener("load", function () {
    if (nearBottom()) scrollToBottom();
  });
  link.appendChild(img);
  return link;
}
