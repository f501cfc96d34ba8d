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
    return links.value.split("\n").map(function (l) { return l.trim(); })
      .map(function (l) { return /^www\./i.test(l) ? "https://" + l : l; })
      .filter(function (l) { return /^https?:\/\/\S+$/i.test(l); })
      .filter(function (l, i, all) { return all.indexOf(l) === i; });
  }

  // A chosen file is measured here; a link by the server, which reads just its header (this page
  // may not load other sites' pictures: the Content-Security-Policy allows this site's only).
  function measure(link) {
    if (sizes[link]) return;
    sizes[link] = "loading";
    var file = fileKeys[link];
    if (!file) {
      fetch(measureUrl + "?url=" + encodeURIComponent(link), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { ok: false }; })
        .then(function (data) {
          sizes[link] = data.ok ? { w: data.width, h: data.height } : "unknown";
          render();
        })
        .catch(function () { sizes[link] = "unknown"; render(); });
      return;
    }
    var img = new Image();
    var src = URL.createObjectURL(file);
    img.onload = function () {
      sizes[link] = { w: img.naturalWidth, h: img.naturalHeight };
      URL.revokeObjectURL(src);
      render();
    };
    img.onerror = function () { sizes[link] = "unknown"; render(); };
    img.src = src;
  }

  function cell(row, text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
  }

  function render() {
    if (form.dataset.sending) return; // submit-once.js holds the button while the form is sent
    var list = currentLinks();
    var model = facts.models[picker.value];
    box.hidden = list.length === 0 || !model;
    if (box.hidden) { button.disabled = paused; return; }
    rows.innerHTML = "";
    var sum = 0, known = 0, pending = 0, refused = [];
    list.forEach(function (link) {
      measure(link);
      var size = sizes[link];
      var row = document.createElement("tr");
      cell(row, nameOf(link), "estimate-name");
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
    button.disabled = paused || refused.length > 0;
    button.textContent = known ? "Enhance · about " + sum + " coins" : "Enhance";
  }

  var timer;
  links.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(render, 400); });
  picker.addEventListener("change", render);
  if (files) files.addEventListener("change", render);
  render();
})();
