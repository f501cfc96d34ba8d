// The job page's share links: a click in a link's box selects it, ready to copy.
(function () {
  "use strict";
  document.querySelectorAll("[data-share-url]").forEach(function (box) {
    box.addEventListener("focus", function () { box.select(); });
  });
})();
