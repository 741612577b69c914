// The Access tokens page: copy a new token to the clipboard (it is shown only once).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("token-copy");
  const field = document.getElementById("token-secret");
  if (!button || !field) return;
  field.addEventListener("focus", () => field.select());
  button.addEventListener("click", async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      document.execCommand("copy");
    }
    button.textContent = button.dataset.copied;
  });
});
