// "Show more" under a tab's list: the console renders the first rows of a tab
// (CHAT_CONSOLE_PAGE_SIZE); the button fetches the rows after the last one shown.
// Rows that arrived live meanwhile are not added twice.
(function () {
  "use strict";
  var button = document.getElementById("tab-more");
  var list = document.getElementById("tab-list");
  if (!button || !list) return;

  function lastRow() {
    var rows = list.querySelectorAll(".row");
    return rows.length ? rows[rows.length - 1] : null;
  }

  button.addEventListener("click", function () {
    var last = lastRow();
    if (!last) return;
    button.disabled = true;
    fetch(button.dataset.url + "?after=" + encodeURIComponent(last.dataset.dialog), {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        var hasMore = response.headers.get("X-Has-More") === "1";
        return response.text().then(function (html) { return { html: html, hasMore: hasMore }; });
      })
      .then(function (page) {
        var holder = document.createElement("template");
        holder.innerHTML = page.html;
        holder.content.querySelectorAll(".row").forEach(function (row) {
          if (!list.querySelector('.row[data-dialog="' + row.dataset.dialog + '"]')) {
            list.appendChild(row);
          }
        });
        button.hidden = !page.hasMore;
      })
      .catch(function () {
        button.classList.add("tab-more-failed");
      })
      .then(function () {
        button.disabled = false;
      });
  });
})();
