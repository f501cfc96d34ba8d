// Drag-and-drop for uploads: photos dropped on the box become the file input's choice.
(function () {
  "use strict";
  var zone = document.querySelector("[data-dropzone] .dropzone");
  if (!zone) return;
  var input = zone.querySelector("input[type=file]");
  var chosen = zone.querySelector("[data-chosen]");
  function say() {
    var count = input.files ? input.files.length : 0;
    chosen.textContent = count ? count + (count === 1 ? " photo chosen." : " photos chosen.") : "";
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
})();
