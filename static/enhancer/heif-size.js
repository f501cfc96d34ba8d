// The pixel size of an iPhone photo (HEIC/HEIF), read from its header: most browsers cannot show
// HEIC, so the estimate before sending reads the size here (the server turns the photo into a JPEG).
// The largest image size (`ispe`) in the item properties, cropped by a clean aperture (`clap`), and
// turned by a quarter or three (`irot`) as the photo is shown.
(function () {
  "use strict";
  var CONTAINERS = { meta: 4, iprp: 0, ipco: 0 }; // box type -> bytes before its children

  function type(view, at) {
    return String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));
  }

  function walk(view, start, end, found) {
    var at = start;
    while (at + 8 <= end) {
      var size = view.getUint32(at);
      var name = type(view, at + 4);
      var header = 8;
      if (size === 1 && at + 16 <= end) { size = view.getUint32(at + 12); header = 16; }
      if (size === 0) size = end - at;
      if (size < header || at + size > end) break;
      var body = at + header;
      if (name in CONTAINERS) walk(view, body + CONTAINERS[name], at + size, found);
      else if (name === "ispe" && size >= 20) found.sizes.push([view.getUint32(body + 4), view.getUint32(body + 8)]);
      else if (name === "irot" && size >= 9) found.turns = found.turns || (view.getUint8(body) & 3);
      else if (name === "clap" && size >= 24) {
        found.clap = [view.getUint32(body) / (view.getUint32(body + 4) || 1), view.getUint32(body + 8) / (view.getUint32(body + 12) || 1)];
      }
      at += size;
    }
  }

  window.heifSize = function (file, done) {
    if (!file.slice || !window.DataView) { done(null); return; }
    file.slice(0, 1048576).arrayBuffer().then(function (buffer) {
      var view = new DataView(buffer);
      if (buffer.byteLength < 12 || type(view, 4) !== "ftyp") { done(null); return; }
      var found = { sizes: [], turns: 0, clap: null };
      walk(view, 0, buffer.byteLength, found);
      if (!found.sizes.length) { done(null); return; }
      var best = found.sizes.reduce(function (a, b) { return b[0] * b[1] > a[0] * a[1] ? b : a; });
      var w = best[0], h = best[1];
      if (found.clap && found.clap[0] <= w && found.clap[1] <= h) { w = Math.round(found.clap[0]); h = Math.round(found.clap[1]); }
      done(found.turns % 2 ? { w: h, h: w } : { w: w, h: h });
    }, function () { done(null); });
  };
})();
