// One submission per click: once the form is on its way, the Enhance button says so and cannot be
// pressed again (the server also takes one form once, by its hidden submission_token).
(function () {
  "use strict";
  var form = document.getElementById("submit-form");
  if (!form) return;
  var button = form.querySelector("[data-submit]");
  var token = form.querySelector("input[name=submission_token]");
  var label = button ? button.textContent : "";

  form.addEventListener("submit", function (event) {
    if (form.dataset.sending) {
      event.preventDefault(); // a second click, or Enter pressed again
      return;
    }
    form.dataset.sending = "1";
    if (!button) return;
    label = button.textContent;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    button.textContent = "Sending…";
  });

  // Back to this page from the browser's memory: it is a new form, with a new token and a live button.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted || !form.dataset.sending) return;
    delete form.dataset.sending;
    if (token && window.crypto && window.crypto.getRandomValues) {
      var bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      token.value = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    }
    if (button) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
      button.textContent = label;
    }
  });
})();
