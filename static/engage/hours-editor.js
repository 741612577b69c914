/* The Business hours editor (templates/engage/hours_edit.html): "Add range" / "Add date"
 * put a fresh row of the formset (its <template>, Django's empty_form) at the end and count
 * it in TOTAL_FORMS. Without this script the page still works: one empty row each. */
(function () {
  "use strict";

  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    var prefix = button.dataset.addRow;
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-template");
    var list = document.getElementById(prefix + "-rows");
    if (!total || !template || !list) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = Number(total.value);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("ul");
      holder.innerHTML = html; // the server's own markup (Django's empty form)
      var row = holder.firstElementChild;
      list.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("select, input:not([type=hidden])");
      if (first) first.focus();
    });
  });

  // Remove: the row fades out at once; the checkbox still says what will be saved.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches(".hours-remove input[type=checkbox]")) return;
    box.closest(".hours-row").classList.toggle("hours-row-removed", box.checked);
  });
})();
