/* The invitation form (templates/engage/rules_form.html): fields that mean nothing with
 * the current choice are hidden (a page address for "any page", the days for other
 * frequencies). The server checks everything again. */
(function () {
  "use strict";

  function field(name) { return document.querySelector('.rule-field[data-field="' + name + '"]'); }
  function value(name) {
    var input = document.getElementById("id_" + name);
    return input ? input.value : "";
  }
  var DEPENDS = [
    ["url_pattern", function () { return value("url_match") !== "any"; }],
    ["frequency_days", function () { return value("frequency") === "days"; }],
  ];

  function update() {
    DEPENDS.forEach(function (rule) {
      var el = field(rule[0]);
      if (el && !el.classList.contains("has-error")) el.hidden = !rule[1]();
    });
  }

  var form = document.getElementById("rule-form");
  if (!form) return;
  form.addEventListener("change", update);
  update();
})();
