/* The two lines above and below the conversation: the connection status ("Connecting…")
 * under the header and an error above the composer, which goes away after 8 s. */

import { ui } from "./frame.js";
import { state } from "./state.js";

export function showStatus(text, permanent) {
  ui.statusText.textContent = text;
  ui.status.hidden = false;
  ui.status.classList.toggle("lc-status-error", !!permanent);
}

export function hideStatus() {
  clearTimeout(state.connectingTimer);
  ui.status.hidden = true;
}

export function showError(text) {
  ui.error.textContent = text;
  ui.error.hidden = false;
  clearTimeout(state.errorTimer);
  state.errorTimer = setTimeout(hideError, 8000);
}

export function hideError() {
  ui.error.hidden = true;
}
