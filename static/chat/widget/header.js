/* The header and the dialog it describes: operators online or not, who is in the dialog,
 * and the hint under the composer once the dialog has ended. */

import { ui } from "./frame.js";
import { state } from "./state.js";
import { T } from "./strings.js";
import { setRead } from "./render.js";
import { hideOperatorTyping } from "./typing.js";

const defaultHint = ui.hintText.textContent;

export function setOnline(online) {
  state.operatorsOnline = online;
  ui.offline.hidden = online;
  ui.presence.classList.toggle("lc-offline-now", !online);
  ui.presenceText.textContent = online ? T.online : T.offline;
}

/** The visitor's dialog (docs/protocol.md, dialog object) or null; anything else is ignored. */
export function setDialog(dialog) {
  if (dialog !== null && (typeof dialog !== "object" || typeof dialog.id !== "number")) return;
  state.dialog = dialog;
  if (dialog) setRead(dialog.read_up_to);
  var closed = dialog && dialog.status === "closed";
  var operators = dialog && !closed && Array.isArray(dialog.operators) ? dialog.operators : [];
  var names = operators
    .map(function (op) { return op && typeof op.name === "string" ? op.name : ""; })
    .filter(Boolean);
  ui.operator.textContent = names.join(", ");
  ui.agent.hidden = !names.length;
  ui.presence.hidden = !!names.length;
  ui.avatar.dataset.letter = names.length ? Array.from(names[0])[0].toUpperCase() : "";
  ui.avatar.classList.toggle("lc-avatar-person", !!names.length);
  ui.hintText.textContent = closed ? T.newDialog : defaultHint;
  ui.hint.classList.toggle("lc-hint-ended", !!closed);
  if (closed) hideOperatorTyping();
}

/** A message of a dialog newer than the one we know: the visitor's first message opened
 * it (the server sends no "dialog" frame for that), so it is new, nobody in it. */
export function noteDialogOf(dialogId, evenWhileReplaying) {
  if (typeof dialogId !== "number" || (state.replaying && !evenWhileReplaying)) return;
  if (!state.dialog || (state.dialog.status === "closed" && dialogId > state.dialog.id)) {
    setDialog({ id: dialogId, status: "new", operators: [] });
  }
}
