/* Leave dialog, and any other form that takes the operator out of the dialog (data-leaves:
 * Transfer dialog): the form's answer takes him to his list (chat/views/console.py).
 * The socket tells this page of his leaving before that answer arrives, and the dialog
 * page reloads itself when his part in it changes (console.js, onDialog), which would
 * cancel the way to the list and reopen a dialog he may no longer read. So when he
 * sends the form, the page already holds the state it is about to learn. */
(function () {
  "use strict";

  document.querySelectorAll("form[data-leaves]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) return;
      var body = document.body;
      var me = String(body.dataset.operator);
      var others = (body.dataset.operators || "").split(",").filter(function (id) {
        return id && id !== me;
      });
      body.dataset.operators = others.join(",");
      // Nobody left in an open dialog: it is new again (services.leave_dialog); a transfer
      // (data-leaves="to-colleague") leaves the receiver in it, active.
      if (form.dataset.leaves === "to-colleague") return;
      if (!others.length && body.dataset.status !== "closed") body.dataset.status = "new";
    });
  });
})();
