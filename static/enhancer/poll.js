// Keeps a live page asking its status URL: first after 1 second, then every 2 seconds, every 5 after
// an answer that failed; hands each answer to `render`, and reloads the page once, when `ended(data)`.
// Loaded before the page's own script (batch.js, job.js), which calls window.pollStatus.
(function () {
  "use strict";
  window.pollStatus = function (url, render, ended) {
    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) return setTimeout(poll, 5000);
          render(data);
          if (ended(data)) return window.location.reload();
          setTimeout(poll, 2000);
        })
        .catch(function () { setTimeout(poll, 5000); });
    }
    setTimeout(poll, 1000);
  };
})();
