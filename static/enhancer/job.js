// Keeps the job page live: asks for the job's status every 2 seconds and updates the page;
// when the job ends, reloads once so the pictures and the download button appear.
(function () {
  "use strict";
  var root = document.getElementById("job");
  if (!root || root.dataset.terminal === "true") return;
  var url = root.dataset.statusUrl;
  var badge = root.querySelector("[data-status-badge]");
  var message = root.querySelector("[data-message]");
  var coins = root.querySelector("[data-coins]");
  var timeline = root.querySelector("[data-timeline]");

  function render(data) {
    badge.textContent = data.label;
    badge.className = "badge badge-" + data.status;
    message.textContent = data.message;
    if (data.coins !== null) coins.textContent = data.coins;
    timeline.innerHTML = "";
    data.events.forEach(function (event) {
      var item = document.createElement("li");
      var label = document.createElement("strong");
      label.textContent = event.label;
      item.appendChild(label);
      var time = new Date(event.at).toLocaleTimeString();
      var says = event.message && event.message !== event.label + "." ? " — " + event.message : "";
      item.appendChild(document.createTextNode(" " + time + says));
      timeline.appendChild(item);
    });
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return setTimeout(poll, 5000);
        render(data);
        if (data.terminal) return window.location.reload();
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
