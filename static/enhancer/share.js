// Before/after slider on a share page: the range input uncovers the original over the result.
(function () {
  document.querySelectorAll("[data-slider]").forEach(function (slider) {
    var input = slider.querySelector("[data-slider-input]");
    var before = slider.querySelector("[data-slider-before]");
    function show() { before.style.width = input.value + "%"; }
    input.addEventListener("input", show);
    show();
  });
})();
