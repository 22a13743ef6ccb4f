/* Optional enhancement of the wilayah picker: fills the next select when one changes.
   Without it the "Show the next choices" button does the same on the server. */
(function () {
  "use strict";
  var order = ["kabupaten_kota", "kecamatan", "desa_kelurahan"];
  function next(select) {
    var fieldset = select.closest("fieldset");
    var level = order.indexOf(select.getAttribute("data-wilayah"));
    return level < 0 ? null : fieldset.querySelector('select[data-wilayah="' + order[level + 1] + '"]');
  }
  function clear(select, text) {
    while (select.options.length) { select.remove(0); }
    select.add(new Option(text, ""));
  }
  document.querySelectorAll("select[data-wilayah]").forEach(function (select) {
    select.addEventListener("change", function () {
      var child = next(select);
      if (!child) { return; }
      for (var below = child; below; below = next(below)) { clear(below, "\u2014"); below.disabled = true; }
      if (!select.value) { return; }
      fetch("/layanan/wilayah/" + encodeURIComponent(select.value) + "/", { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (data) {
          clear(child, "\u2014 pilih \u2014");
          data.children.forEach(function (c) { child.add(new Option(c.name, c.code)); });
          child.disabled = false;
        })
        .catch(function () { /* the server-side button still works */ });
    });
  });
  document.querySelectorAll("[data-wilayah-button]").forEach(function (b) { b.hidden = true; });
})();
