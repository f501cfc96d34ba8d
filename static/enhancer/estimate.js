// Cost before spending: learns each photo's pixel size (a link's from the server, a file's here), then
// estimates its coins from HitPaw's price table (sent by the server: the same table the pipeline
// uses) and refuses photos over HitPaw's limits, with the size and the limit, before anything is sent.
(function () {
  "use strict";
  var facts = JSON.parse(document.getElementById("price-facts").textContent);
  var form = document.getElementById("submit-form");
  var box = document.getElementById("estimate");
  if (!form || !box) return;
  var links = form.querySelector("textarea[name=img_url]");
  var files = form.querySelector("input[type=file][name=photos]");
  var picker = form.querySelector("select[name=model_name]");
  var rows = box.querySelector("[data-estimate-rows]");
  var total = box.querySelector("[data-estimate-total]");
  var refusal = box.querySelector("[data-estimate-refusal]");
  var leftOutNote = box.querySelector("[data-estimate-left-out]");
  var blocked = box.querySelector("[data-estimate-blocked]");
  var button = form.querySelector("[data-submit]");
  var paused = button && button.hasAttribute("data-paused"); // the team is paused: the button stays off
  var sizes = {}; // link -> {w, h} | "loading" | "unknown"
  var measureUrl = box.dataset.measureUrl;

  function fmt(value, limit) {
    var one = value.toFixed(1);
    return Number(one) === limit ? value.toFixed(2) : one;
  }

  function coinsFor(kind, outMp) {
    var table = facts.prices[kind] || facts.prices.standard;
    for (var i = 0; i < table.length; i++) {
      if (table[i][0] === null || outMp < table[i][0]) return table[i][1];
    }
    return table[table.length - 1][1];
  }

  function limitProblem(kind, w, h, scale) {
    var limits = facts.limits[kind] || facts.limits.standard;
    var inMp = (w * h) / 1e6;
    if (inMp > limits[0]) {
      return "Too large for this model: " + fmt(inMp, limits[0]) + " megapixels (" + w + " × " + h +
        ") is over " + limits[0] + " megapixels, the most HitPaw takes for it.";
    }
    var outMp = (w * scale * h * scale) / 1e6;
    if (outMp > limits[1]) {
      return "The enhanced photo would be " + fmt(outMp, limits[1]) + " megapixels (" + w * scale + " × " +
        h * scale + "), over " + limits[1] + " megapixels, the most HitPaw allows. Pick a smaller scale.";
    }
    return null;
  }

  function nameOf(link) {
    if (fileKeys[link]) return fileKeys[link].name.replace(/\.[^.]+$/, "");
    try {
      var last = decodeURIComponent(new URL(link).pathname.split("/").filter(Boolean).pop() || "");
      return last.replace(/\.[^.]+$/, "") || link;
    } catch (e) { return link; }
  }

  var fileKeys = {}; // key -> File, for uploads chosen or dropped
  function currentLinks() {
    if (files && files.files && files.files.length) {
      return Array.prototype.map.call(files.files, function (file) {
        var key = "file:" + file.name + ":" + file.size + ":" + file.lastModified;
        fileKeys[key] = file;
        return key;
      });
    }
    return readLinks().links;
  }

  // The pasted links as the server will take them: the usable ones (at most facts.max_links are
  // measured), and why each other line is left out, in the server's words (enhancer/web/forms.py).
  function readLinks() {
    var lines = links.value.split("\n").map(function (l) { return l.trim(); }).filter(Boolean)
      .map(function (l) { return /^www\./i.test(l) ? "https://" + l : l; });
    var good = [], leftOut = [];
    lines.forEach(function (line) {
      var shown = "“" + line.slice(0, 80) + "”";
      var kind = unsupportedKind(line);
      if (!/^https?:\/\/\S+$/i.test(line)) leftOut.push(shown + " is not a web link.");
      else if (kind) leftOut.push(shown + " is a " + kind + " file, which HitPaw does not take.");
      else if (good.indexOf(line) >= 0) leftOut.push(shown + " is in the list twice; it is sent once.");
      else good.push(line);
    });
    return { links: good.slice(0, facts.max_links), leftOut: leftOut, pasted: lines.length };
  }

  function unsupportedKind(link) {
    try {
      var path = new URL(link).pathname.toLowerCase();
      var dot = path.lastIndexOf(".");
      return dot > path.lastIndexOf("/") ? (facts.unsupported || {})[path.slice(dot)] || null : null;
    } catch (e) { return null; }
  }

  // Links are measured two at a time (the server takes no more at once from one person), in order.
  var waiting = [], inFlight = 0;
  function nextLink() {
    if (inFlight >= 2 || !waiting.length) return;
    var link = waiting.shift();
    inFlight++;
    fetch(measureUrl + "?url=" + encodeURIComponent(link), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { ok: false }; })
      .then(function (data) { sizes[link] = data.ok ? { w: data.width, h: data.height } : "unknown"; })
      .catch(function () { sizes[link] = "unknown"; })
      .then(function () { inFlight--; render(); nextLink(); });
  }

  // A chosen file is measured here; a link by the server, which reads just its header (this page
  // may not load other sites' pictures: the Content-Security-Policy allows this site's only).
  function measure(link) {
    if (sizes[link]) return;
    sizes[link] = "loading";
    var file = fileKeys[link];
    if (!file) {
      waiting.push(link);
      nextLink();
      return;
    }
    var img = new Image();
    var src = URL.createObjectURL(file);
    img.onload = function () {
      sizes[link] = { w: img.naturalWidth, h: img.naturalHeight };
      URL.revokeObjectURL(src);
      render();
    };
    img.onerror = function () { // a HEIC, which most browsers cannot show: its header says its size
      URL.revokeObjectURL(src);
      if (!window.heifSize) { sizes[link] = "unknown"; render(); return; }
      window.heifSize(file, function (size) { sizes[link] = size || "unknown"; render(); });
    };
    img.src = src;
  }

  function cell(row, text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
  }

  // Why Enhance cannot be pressed for these links, or "": more links than one batch takes, or an
  // estimate (each photo not measured yet at its model's lowest price) past what the budget leaves.
  function linksBlocked(pasted, minimum) {
    if (pasted > facts.max_links) {
      var extra = pasted - facts.max_links;
      return "You pasted " + pasted + " links; one batch takes at most " + facts.max_links + ". Remove " +
        extra + (extra === 1 ? " link" : " links") + " (from line " + (facts.max_links + 1) +
        " on), or send them in a second batch.";
    }
    if (facts.coins_left !== null && facts.coins_left !== undefined && minimum > facts.coins_left) {
      var whose = facts.coins_left_whose === "team" ? "the team's monthly budget" : "your monthly limit";
      return "These photos need about " + minimum + " coins, more than the " + facts.coins_left +
        " coins " + whose + " has left. Remove some photos, or ask an admin to raise the budget.";
    }
    return "";
  }

  function render() {
    if (form.dataset.sending) return; // submit-once.js holds the button while the form is sent
    var uploading = files && files.files && files.files.length;
    var pasted = uploading ? { leftOut: [], pasted: 0 } : readLinks();
    var list = currentLinks();
    var model = facts.models[picker.value];
    leftOutNote.hidden = pasted.leftOut.length === 0;
    leftOutNote.textContent = pasted.leftOut.length ? "Left out (" + pasted.leftOut.length + "): " +
      pasted.leftOut.join(" ") : "";
    box.hidden = (list.length === 0 && pasted.leftOut.length === 0) || !model;
    if (box.hidden) { button.disabled = paused; return; }
    rows.innerHTML = "";
    var sum = 0, known = 0, pending = 0, refused = [], unmeasured = 0;
    list.forEach(function (link) {
      measure(link);
      var size = sizes[link];
      var row = document.createElement("tr");
      cell(row, nameOf(link), "estimate-name");
      if (size === "loading" || size === "unknown") unmeasured++;
      if (size === "loading") {
        pending++;
        cell(row, "Measuring…"); cell(row, ""); cell(row, "");
      } else if (size === "unknown") {
        cell(row, "Not known yet");
        cell(row, "");
        cell(row, "Shown on its page before it is sent");
      } else {
        var problem = limitProblem(model.kind, size.w, size.h, model.scale);
        cell(row, size.w + " × " + size.h + " (" + ((size.w * size.h) / 1e6).toFixed(1) + " MP)");
        var ow = size.w * model.scale, oh = size.h * model.scale;
        cell(row, ow + " × " + oh + " (" + ((ow * oh) / 1e6).toFixed(1) + " MP)");
        if (problem) {
          refused.push(nameOf(link) + ": " + problem);
          cell(row, "Refused", "error");
          row.className = "refused";
        } else {
          var coins = coinsFor(model.kind, (ow * oh) / 1e6);
          sum += coins; known++;
          cell(row, coins + " coins");
        }
      }
      rows.appendChild(row);
    });
    var text = known ? "About " + sum + " coins for " + known + (known === 1 ? " photo" : " photos") : "";
    if (known && known < list.length - refused.length) text += " (the others once they are measured)";
    total.textContent = pending && !known ? "Measuring the photos…" : text;
    total.dataset.coins = String(sum);
    refusal.hidden = refused.length === 0;
    refusal.textContent = refused.length ? "HitPaw would refuse " + refused.join(" ") + " Remove it from the list or pick another model." : "";
    var reason = uploading ? "" : linksBlocked(pasted.pasted, sum + unmeasured * coinsFor(model.kind, 0));
    blocked.hidden = !reason;
    blocked.textContent = reason;
    if (reason) button.setAttribute("aria-describedby", "estimate-blocked");
    else if (button.getAttribute("aria-describedby") === "estimate-blocked") button.removeAttribute("aria-describedby");
    button.disabled = paused || refused.length > 0 || !!reason;
    button.textContent = known ? "Enhance · about " + sum + " coins" : "Enhance";
  }

  var timer;
  links.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(render, 400); });
  picker.addEventListener("change", render);
  if (files) files.addEventListener("change", render);
  render();
})();
