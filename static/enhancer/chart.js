// The usage chart: the bar tapped, clicked or reached with Tab has its day and coins written under
// the chart, so a value is readable on a phone and without a mouse (each bar's <title> covers hover).
(function () {
  const chart = document.querySelector("[data-chart]");
  const readout = document.querySelector("[data-chart-readout]");
  if (!chart || !readout) return;

  function show(bar) {
    chart.querySelectorAll(".bar.chosen").forEach((other) => other.classList.remove("chosen"));
    bar.classList.add("chosen");
    readout.textContent = bar.querySelector("title").textContent + ".";
  }

  chart.addEventListener("focusin", (event) => {
    if (event.target.matches("[data-day]")) show(event.target);
  });
  chart.addEventListener("click", (event) => {
    const bar = event.target.closest("[data-day]");
    if (bar) show(bar);
  });
})();
