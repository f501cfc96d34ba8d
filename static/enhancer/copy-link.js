// A Copy button beside a read-only field (the one-time set-password link): copies its text and says so.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    var status = button.parentNode.querySelector("[data-copy-status]");
    if (!field) return;
    function said(text) { if (status) status.textContent = text; }
    button.addEventListener("click", function () {
      field.focus();
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(
          function () { said(button.dataset.copiedText || "Copied"); },
          function () { said("Press Ctrl+C (or ⌘C) to copy the selected link."); }
        );
        return;
      }
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
      said(copied ? (button.dataset.copiedText || "Copied") : "Press Ctrl+C (or ⌘C) to copy the selected link.");
    });
  });
})();
