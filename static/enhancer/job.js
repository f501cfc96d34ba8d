// Keeps the job page live: asks for the job's status every 2 seconds and updates the page (its
// actions too: Cancel goes once the photo was sent);
// when the job ends, reloads once so the pictures and the download button appear, then stops.
// Times come from the server already written in the team's time zone (one clock on the page).
(function () {
  "use strict";
  var root = document.getElementById("job");
  if (!root || root.dataset.terminal === "true") return;
  var url = root.dataset.statusUrl;
  var badge = root.querySelector("[data-status-badge]");
  var message = root.querySelector("[data-message]");
  var coins = root.querySelector("[data-coins]");
  var tries = root.querySelector("[data-tries]");
  var timeline = root.querySelector("[data-timeline]");
  var cancel = root.querySelector("[data-cancel]");
  var refresh = root.querySelector("[data-refresh]");
  if (refresh) refresh.parentNode.textContent = "This page updates by itself.";

  function render(data) {
    badge.textContent = data.label;
    badge.className = "badge badge-" + data.status;
    message.textContent = data.message;
    if (tries) tries.textContent = data.tries ? "(" + data.tries + ")" : "";
    if (data.coins !== null) coins.textContent = data.coins;
    // Once the photo is on its way to HitPaw it can no longer be canceled: the button goes.
    if (cancel && !data.can_cancel) { cancel.remove(); cancel = null; }
    timeline.innerHTML = "";
    data.events.forEach(function (event) {
      var item = document.createElement("li");
      var label = document.createElement("strong");
      label.textContent = event.label;
      item.appendChild(label);
      var time = document.createElement("time");
      time.dateTime = event.at;
      time.textContent = event.time;
      item.appendChild(document.createTextNode(" "));
      item.appendChild(time);
      if (event.took !== null) {
        var took = document.createElement("span");
        took.className = "took";
        took.textContent = "took " + (Math.round(event.took * 10) / 10) + " s";
        item.appendChild(document.createTextNode(" "));
        item.appendChild(took);
      }
      var says = event.message && event.message !== event.label + "." ? " — " + event.message : "";
      item.appendChild(document.createTextNode(says));
      timeline.appendChild(item);
    });
  }

  window.pollStatus(url, render, function (data) { return data.terminal; });
})();
