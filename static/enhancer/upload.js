// Uploads: photos dropped on the box become the file input's choice; each chosen photo is listed with
// a Remove button (the input's FileList is rebuilt with a DataTransfer); and the form's upload shows a
// progress bar (XMLHttpRequest), then goes where the server sent it. Without this script, or in a
// browser without these, the plain form sends the files as before.
(function () {
  "use strict";
  var field = document.querySelector("[data-dropzone]");
  var zone = field && field.querySelector(".dropzone");
  if (!zone) return;
  var input = zone.querySelector("input[type=file]");
  var chosen = zone.querySelector("[data-chosen]");
  var list = field.querySelector("[data-chosen-list]");
  var progressBox = field.querySelector("[data-upload-progress]");
  var form = input.form;
  var canRebuild = typeof DataTransfer === "function";

  function sizeText(bytes) {
    return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function remove(index) {
    var kept = new DataTransfer();
    Array.prototype.forEach.call(input.files, function (file, i) { if (i !== index) kept.items.add(file); });
    input.files = kept.files;
    input.dispatchEvent(new Event("change")); // the estimate follows the new choice
    var next = list.querySelectorAll("button")[Math.min(index, input.files.length - 1)];
    (next || input).focus();
  }

  function say() {
    var files = input.files || [];
    var count = files.length;
    chosen.textContent = count ? count + (count === 1 ? " photo chosen." : " photos chosen.") : "";
    if (!list || !canRebuild) return;
    list.textContent = "";
    list.hidden = count === 0;
    Array.prototype.forEach.call(files, function (file, index) {
      var item = document.createElement("li");
      var name = document.createElement("span");
      name.textContent = file.name + " (" + sizeText(file.size) + ")";
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = "Remove";
      button.setAttribute("aria-label", "Remove " + file.name);
      button.addEventListener("click", function () { remove(index); });
      item.appendChild(name);
      item.appendChild(button);
      list.appendChild(item);
    });
  }

  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () { zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    input.files = event.dataTransfer.files;
    input.dispatchEvent(new Event("change"));
  });
  input.addEventListener("change", say);
  say();

  if (!form || !progressBox || typeof FormData !== "function" || !window.XMLHttpRequest) return;
  var bar = progressBox.querySelector("progress");
  var percent = progressBox.querySelector("[data-upload-percent]");
  var label = progressBox.querySelector("label");

  // Runs before submit-once.js's listener (this script comes first): a second press finds the form
  // marked as sending by it, and is left to it to refuse.
  form.addEventListener("submit", function (event) {
    if (form.dataset.sending || event.defaultPrevented || !input.files || !input.files.length) return;
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.setRequestHeader("Accept", "text/html");
    progressBox.hidden = false;
    label.textContent = "Uploading…";
    bar.value = 0;
    request.upload.addEventListener("progress", function (progress) {
      if (!progress.lengthComputable) return;
      var done = Math.round((progress.loaded / progress.total) * 100);
      bar.value = done;
      percent.textContent = done + " %";
    });
    request.upload.addEventListener("load", function () {
      bar.value = 100;
      label.textContent = "Uploaded. Checking the photos…";
      percent.textContent = "";
    });
    request.addEventListener("load", function () {
      var url = request.responseURL || window.location.href;
      var html = /text\/html/.test(request.getResponseHeader("Content-Type") || "");
      if (request.status < 400 && url !== window.location.href) {
        window.location.assign(url); // the server sent us on (the job or batch page)
      } else if (html) {
        document.open(); // the form again, with what was wrong: shown as the server wrote it
        document.write(request.responseText);
        document.close();
      } else {
        failed(request.responseText || "The upload failed.");
      }
    });
    request.addEventListener("error", function () {
      failed("The upload was cut off. Check the connection and press Enhance again.");
    });
    request.send(new FormData(form));
  });

  function failed(message) {
    label.textContent = message.slice(0, 300);
    percent.textContent = "";
    bar.value = 0;
    // Pressable again, with the same form token: if the server did take the photos, it says so.
    delete form.dataset.sending;
    var button = form.querySelector("[data-submit]");
    if (button) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
      button.textContent = "Enhance";
    }
  }
})();
