// Keeps the history live: the photos still working on this page are asked about every 3 seconds;
// each one's badge and coins update in place, and asking stops once none is working.
(function () {
  "use strict";
  var list = document.getElementById("history");
  if (!list) return;
  var refresh = document.querySelector("[data-refresh]");
  function active() {
    return Array.prototype.map.call(list.querySelectorAll("[data-active]"), function (item) {
      return item.dataset.job;
    });
  }
  if (!active().length) return;
  if (refresh) refresh.textContent = "This list updates by itself.";

  function poll() {
    var ids = active();
    if (!ids.length) return;
    fetch(list.dataset.statusUrl + "?ids=" + ids.join(","), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return setTimeout(poll, 6000);
        data.jobs.forEach(function (job) {
          var item = list.querySelector('[data-job="' + job.id + '"]');
          if (!item) return;
          var badge = item.querySelector("[data-status-badge]");
          badge.textContent = job.label;
          badge.className = "badge badge-" + job.status;
          if (job.coins !== null) item.querySelector("[data-coins]").textContent = job.coins;
          if (job.terminal) item.removeAttribute("data-active");
        });
        if (active().length) setTimeout(poll, 3000);
        else if (refresh) refresh.textContent = "";
      })
      .catch(function () { setTimeout(poll, 6000); });
  }
  setTimeout(poll, 1500);
})();
