/* The "who is behind" map: each LAO's office as a circle coloured by its status (data from the
   page's json_script block; no inline script, colours set through Leaflet's options). */
(function () {
  "use strict";
  var COLOURS = { late: "#c62828", on_time: "#1565c0", done: "#2e7d32" };
  function init() {
    var el = document.getElementById("behind-map");
    var cfgEl = document.getElementById("behind-config");
    if (!el || !cfgEl || typeof L === "undefined") { return; }
    var cfg = JSON.parse(cfgEl.textContent);
    var map = L.map(el, { preferCanvas: true });
    if (cfg.basemap) { L.tileLayer(cfg.basemap, { attribution: cfg.attribution || "" }).addTo(map); }
    var bounds = [];
    cfg.features.forEach(function (f) {
      var marker = L.circleMarker([f.lat, f.lon], {
        radius: 6, weight: 1, color: "#333", fillColor: COLOURS[f.status] || "#777", fillOpacity: 0.85
      });
      marker.bindTooltip(f.name + " (" + f.code + "): " + f.label + (f.days ? " " + f.days : ""));
      marker.addTo(map);
      bounds.push([f.lat, f.lon]);
    });
    if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20] }); } else { map.setView([13.5, 100.9], 5); }
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "behind-legend");
      document.querySelectorAll("#behind-counts .status").forEach(function (s) {
        var row = document.createElement("div");
        var dot = document.createElement("i");
        var key = s.className.replace("status status-", "");
        dot.style.background = COLOURS[key] || "#777";
        row.appendChild(dot);
        row.appendChild(document.createTextNode(s.textContent));
        div.appendChild(row);
      });
      return div;
    };
    legend.addTo(map);
    el.setAttribute("data-ready", String(cfg.features.length));
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
