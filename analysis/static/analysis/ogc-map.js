// The small map of an OGC API HTML page: the page's features (fetched as GeoJSON in CRS84).
(function () {
  "use strict";
  var el = document.getElementById("ogc-map");
  if (!el || !window.L) { return; }
  var map = L.map(el).setView([13.5, 100.5], 5);
  if (el.dataset.tiles) {  // the configured base map (settings.BASEMAP_URL), if any
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  }
  fetch(el.dataset.url, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        onEachFeature: function (f, l) {
          var p = f.properties || {};
          l.bindTooltip(String(p.name || p.name_th || f.id));
        }
      }).addTo(map);
      var b = layer.getBounds();
      if (b.isValid()) { map.fitBounds(b, { maxZoom: 15 }); }
      el.dataset.loaded = String((data.features || [data]).length);
    });
})();
