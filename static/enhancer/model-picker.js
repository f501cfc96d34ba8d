// The model picker for people: models as cards grouped by what they are for, each with its
// "good for" line and, where a model comes in several sizes, a 2x / 4x choice. It drives the
// plain <select name="model_name"> (which stays the form's field, and the picker without JS).
(function () {
  "use strict";
  var facts = JSON.parse(document.getElementById("price-facts").textContent);
  var select = document.querySelector("select[name=model_name]");
  if (!select) return;
  var families = [], byKey = {};
  Object.keys(facts.models).forEach(function (name) {
    var model = facts.models[name];
    var key = model.purpose + "|" + model.display;
    if (!byKey[key]) {
      byKey[key] = { key: key, display: model.display, purpose: model.purpose, members: [] };
      families.push(byKey[key]);
    }
    byKey[key].members.push({ name: name, scale: model.scale, good_for: model.good_for });
  });

  // Families of one purpose together, purposes in the order they first appear.
  var purposes = [];
  families.forEach(function (f) { if (purposes.indexOf(f.purpose) < 0) purposes.push(f.purpose); });
  families.sort(function (a, b) { return purposes.indexOf(a.purpose) - purposes.indexOf(b.purpose); });

  var picker = document.createElement("fieldset");
  picker.className = "model-picker";
  picker.innerHTML = '<legend>Model</legend>';
  var current = null;
  families.forEach(function (family, index) {
    if (index === 0 || families[index - 1].purpose !== family.purpose) {
      var heading = document.createElement("p");
      heading.className = "picker-group";
      heading.textContent = family.purpose;
      picker.appendChild(heading);
    }
    var card = document.createElement("label");
    card.className = "model-card";
    var radio = document.createElement("input");
    radio.type = "radio";
    radio.name = "model-family";
    radio.value = family.key;
    card.appendChild(radio);
    var text = document.createElement("span");
    text.className = "model-text";
    var title = document.createElement("strong");
    title.textContent = family.display;
    var good = document.createElement("span");
    good.className = "help";
    text.appendChild(title);
    text.appendChild(good);
    card.appendChild(text);
    var scales = document.createElement("span");
    scales.className = "scales";
    if (family.members.length > 1) {
      scales.setAttribute("role", "group");
      scales.setAttribute("aria-label", family.display + " size");
      family.members.forEach(function (member) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = member.scale + "x";
        button.dataset.model = member.name;
        button.addEventListener("click", function (event) {
          event.preventDefault();
          choose(member.name);
        });
        scales.appendChild(button);
      });
    } else {
      scales.textContent = family.members[0].scale > 1 ? family.members[0].scale + "x" : "same size";
    }
    card.appendChild(scales);
    radio.addEventListener("change", function () {
      var keep = family.members.filter(function (m) { return m.name === select.value; })[0];
      choose((keep || family.members[0]).name);
    });
    family.card = card; family.radio = radio; family.good = good; family.scales = scales;
    picker.appendChild(card);
  });

  function choose(name) {
    if (select.value !== name) {
      select.value = name;
      select.dispatchEvent(new Event("change"));
    }
    show();
  }

  function show() {
    families.forEach(function (family) {
      var member = family.members.filter(function (m) { return m.name === select.value; })[0];
      family.radio.checked = !!member;
      family.card.classList.toggle("chosen", !!member);
      family.good.textContent = (member || family.members[0]).good_for;
      family.scales.querySelectorAll("button").forEach(function (button) {
        button.setAttribute("aria-pressed", String(button.dataset.model === select.value));
      });
    });
  }

  var field = select.closest(".field");
  field.hidden = true;
  field.parentNode.insertBefore(picker, field.nextSibling);
  select.addEventListener("change", show);
  show();
})();
