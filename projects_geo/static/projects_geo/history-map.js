/* The history page's small maps: each geometry change shows the old location (grey, dashed) and
 * the new one (red) together. The GeoJSON comes in data-old / data-new attributes (no inline script). */
(function () {
  'use strict';
  function draw(el) {
    var map = L.map(el, {attributionControl: false, zoomControl: false, dragging: false, scrollWheelZoom: false});
    var group = L.featureGroup().addTo(map);
    [['old', {color: '#757575', weight: 3, dashArray: '6 5'}], ['new', {color: '#d32f2f', weight: 4}]].forEach(function (pair) {
      var text = el.getAttribute('data-' + pair[0]);
      if (!text) return;
      L.geoJSON(JSON.parse(text), {
        style: pair[1],
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, L.extend({radius: 7, fill: pair[0] === 'new'}, pair[1])); }
      }).addTo(group);
    });
    if (group.getLayers().length) map.fitBounds(group.getBounds().pad(0.3), {maxZoom: 17});
    el.setAttribute('data-ready', '1');
  }
  document.addEventListener('DOMContentLoaded', function () {
    if (!window.L) return;
    Array.prototype.forEach.call(document.querySelectorAll('.history-map'), draw);
  });
})();
