/* A file size in the page's language, as chat.messaging.uploads.human_size writes it: shared by
 * the widget frame and the console (window.humanSize). */
(function () {
  "use strict";

  // A size as chat.messaging.uploads.human_size writes it ("24 KB" / "24 КБ", "1.2 MB"), with
  // the words of templates/chat/_size_words.html.
  function humanSize(bytes) {
    var words = (document.getElementById("size-words") || { dataset: {} }).dataset;
    var number = new Intl.NumberFormat(document.documentElement.lang || undefined, {
      maximumFractionDigits: 1,
      useGrouping: false,
    });
    var value, template;
    if (bytes < 1024) {
      value = String(bytes);
      template = words.b || "{size} B";
    } else if (bytes < 1024 * 1024) {
      value = String(Math.max(1, Math.floor(bytes / 1024 + 0.5)));
      template = words.kb || "{size} KB";
    } else {
      value = number.format(Math.floor((bytes / (1024 * 1024)) * 10 + 0.5) / 10);
      template = words.mb || "{size} MB";
    }
    return template.replace("{size}", value);
  }

  window.humanSize = humanSize;
})();
