// Keeps the batch page live: asks for every photo's status every 2 seconds and updates the
// page; once every photo has ended, reloads once (thumbnails, Download all, Retry failed) and stops.
(function () {
  "use strict";
  var root = document.getElementById("batch");
  if (!root || root.dataset.finished === "true") return;
  var url = root.dataset.statusUrl;
  var refresh = root.querySelector("[data-refresh]");
  if (refresh) refresh.textContent = "Updating by itself…";

  function setText(selector, value) {
    var node = root.querySelector(selector);
    if (node) node.textContent = value;
  }

  function render(data) {
    setText("[data-total-done]", data.totals.done);
    setText("[data-total-working]", data.totals.working);
    setText("[data-total-problems]", data.totals.problems);
    setText("[data-total-coins]", data.totals.coins);
    var review = root.querySelector("[data-review-summary]"), waiting = data.totals.review;
    if (review && waiting) {
      review.hidden = false;
      review.textContent = waiting + (waiting === 1 ? " photo waits" : " photos wait") +
        " for an admin's check. Charge unknown — HitPaw may have charged about " +
        data.totals.review_coins + " coins for " + (waiting === 1 ? "it." : "them.");
    }
    data.jobs.forEach(function (job) {
      var card = root.querySelector('[data-job="' + job.id + '"]');
      if (!card) return;
      var badge = card.querySelector("[data-status-badge]");
      badge.textContent = job.label;
      badge.className = "badge badge-" + job.status;
      var message = card.querySelector("[data-message]");
      // A photo waiting for an admin's check is told once, in the batch's summary line.
      message.textContent = job.status === "completed" || job.status === "needs_review" ? "" : job.message;
      message.classList.toggle("error", ["failed", "timed_out", "needs_review"].indexOf(job.status) >= 0);
      if (job.coins !== null) card.querySelector("[data-coins]").textContent = job.coins;
      var empty = card.querySelector("[data-thumb-url]");
      if (empty && ["queued", "fetching"].indexOf(job.status) < 0) {
        var img = document.createElement("img");
        img.src = empty.dataset.thumbUrl;
        img.alt = empty.dataset.alt;
        img.width = 160;
        img.height = 120;
        img.onerror = function () { img.replaceWith(empty); };
        empty.replaceWith(img);
      }
    });
  }

  window.pollStatus(url, render, function (data) { return data.totals.finished; });
})();
