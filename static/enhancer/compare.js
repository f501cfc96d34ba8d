// 100 % zoom: scrolling one picture scrolls the other to the same spot, so details line up.
(function () {
  "use strict";
  var panes = document.querySelectorAll("[data-zoom] .zoom-pane");
  if (panes.length !== 2) return;
  var busy = false;
  function follow(from, to) {
    from.addEventListener("scroll", function () {
      if (busy) return;
      busy = true;
      to.scrollLeft = from.scrollLeft;
      to.scrollTop = from.scrollTop;
      window.requestAnimationFrame(function () { busy = false; });
    });
  }
  follow(panes[0], panes[1]);
  follow(panes[1], panes[0]);
})();
