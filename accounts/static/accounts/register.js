// Registration page: fill the LAO datalist from the registry as the person types a code or name.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.dataset.searchUrl;
  var input = document.querySelector("[data-lao-search]");
  var list = document.getElementById("lao-options");
  if (!url || !input || !list) { return; }
  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2 || /^\d{7}\s/.test(q)) { return; }
    timer = setTimeout(function () {
      fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) {
          list.textContent = "";
          data.results.forEach(function (o) {
            var opt = document.createElement("option");
            opt.value = o.dla_code + " — " + o.name_th + " (" + o.province + ")";
            list.appendChild(opt);
          });
        });
    }, 200);
  });
})();
