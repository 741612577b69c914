/* The widget's words, in the frame's language: the server renders them into hidden
 * elements of templates/chat/widget.html (data-* attributes), nothing is translated here. */

const none = { dataset: {} };

/** General strings (#lc-i18n); "{max}" and "{name}" are filled in where used. */
export const T = document.getElementById("lc-i18n").dataset;

/** The attachments' strings and settings (#lc-attach-config: url, maxBytes, tooBig ...). */
export const attachCfg = (document.getElementById("lc-attach-config") || none).dataset;

/** Dates and times in the widget's language (the frame's <html lang>), not the browser's. */
export const PAGE_LOCALE = document.documentElement.lang || [];

