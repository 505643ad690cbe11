/*
 * gisplan map layers, added to every django-leaflet map of a page on its `map:init` event:
 *  - province / amphoe / tambon outlines, fetched for the view from /layers/boundaries/<level>.geojson
 *    (simplified in PostGIS for the zoom; amphoe from zoom 8, tambons from zoom 10);
 *  - the LAO's area (its amphoe, or its province for a PAO) highlighted;
 *  - projects coloured by kind (outline) and current stage (fill), with popups and a legend.
 * Configuration comes from the page's <script type="application/json" id="gisplan-map-config">.
 * The base map is whatever django-leaflet's TILES holds (settings.BASEMAP_URL; empty = none).
 */
(function () {
  'use strict';

  var _ = window.gettext || function (s) { return s; };
  var LEVELS = [
    {level: 'province', minZoom: 0, style: {color: '#37474f', weight: 2, fill: false, interactive: false}},
    {level: 'amphoe', minZoom: 8, style: {color: '#546e7a', weight: 1.2, dashArray: '6 4', fill: false, interactive: false}},
    {level: 'tambon', minZoom: 10, style: {color: '#90a4ae', weight: 0.8, dashArray: '2 3', fill: false, interactive: false}}
  ];

  function readConfig(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function escapeHtml(text) {
    return String(text == null ? '' : text).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }

  function colourMaps(legend) {
    var kinds = {}, stages = {};
    legend.kinds.forEach(function (k) { kinds[k.value] = k.colour; });
    legend.stages.forEach(function (s) { stages[s.value] = s.colour; });
    return {kinds: kinds, stages: stages};
  }

  /* Outlines of the administrative units, refreshed when the view changes. */
  function BoundaryLayers(map, cfg) {
    this.map = map;
    this.cfg = cfg;
    this.layers = {};
    this.loadedKey = {};
    this.controller = null;
    map.createPane('gisplan-boundaries').style.zIndex = 350;
    LEVELS.forEach(function (def) {
      var style = L.extend({pane: 'gisplan-boundaries'}, def.style);
      this.layers[def.level] = L.geoJSON(null, {style: style, interactive: false, pane: 'gisplan-boundaries'}).addTo(map);
    }, this);
    map.on('moveend', this.refresh, this);
    this.refresh();
  }

  BoundaryLayers.prototype.refresh = function () {
    var map = this.map, zoom = map.getZoom(), bounds = map.getBounds().pad(0.25);
    if (this.controller) this.controller.abort();
    var controller = this.controller = (window.AbortController ? new AbortController() : null);
    var bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      .map(function (v) { return v.toFixed(3); }).join(',');
    LEVELS.forEach(function (def) {
      var layer = this.layers[def.level];
      if (zoom < def.minZoom) { layer.clearLayers(); this.loadedKey[def.level] = null; return; }
      var key = zoom + '|' + bbox;
      if (this.loadedKey[def.level] === key) return;
      var url = this.cfg.boundariesUrl.replace('{level}', def.level) + '?zoom=' + zoom + '&bbox=' + bbox;
      fetch(url, {credentials: 'same-origin', signal: controller ? controller.signal : undefined})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          layer.clearLayers();
          layer.addData(data);
          this.loadedKey[def.level] = key;
          map.fire('gisplan:boundaries', {level: def.level});
        }.bind(this))
        .catch(function () { /* aborted by a newer view */ });
    }, this);
  };

  /* The LAO's area, highlighted; resolves with its bounds. */
  function addArea(map, cfg) {
    if (!cfg.area) return Promise.resolve(null);
    map.createPane('gisplan-area').style.zIndex = 360;
    var url = cfg.boundariesUrl.replace('{level}', cfg.area.level) + '?zoom=12&code=' + encodeURIComponent(cfg.area.code);
    return fetch(url, {credentials: 'same-origin'})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || !data.features.length) return null;
        var layer = L.geoJSON(data, {
          pane: 'gisplan-area', interactive: false,
          style: {color: '#c2185b', weight: 3, fillColor: '#f8bbd0', fillOpacity: 0.15}
        }).addTo(map);
        map.gisplanArea = layer;
        return layer.getBounds();
      })
      .catch(function () { return null; });
  }

  function popupHtml(p) {
    var rows = [
      [_('kind'), p.kind_label + ' · ' + p.subtype_label],
      [_('fiscal year (B.E.)'), p.fiscal_year],
      [_('current stage'), p.stage_label || _('No stage yet')],
      [_('budget'), p.budget],
      [_('tambon'), p.tambon]
    ];
    return '<div class="project-popup"><a href="' + escapeHtml(p.url) + '"><strong>' + escapeHtml(p.name) + '</strong></a>' +
      '<table>' + rows.map(function (r) {
        return '<tr><th>' + escapeHtml(r[0]) + '</th><td>' + escapeHtml(r[1]) + '</td></tr>';
      }).join('') + '</table></div>';
  }

  /* Projects: lines get a casing in the kind's colour under a line in the stage's colour;
   * points are circles outlined in the kind's colour and filled in the stage's colour. */
  function addProjects(map, cfg) {
    var colours = colourMaps(cfg.legend);
    map.createPane('gisplan-projects').style.zIndex = 420;
    var casing = L.geoJSON(null, {
      pane: 'gisplan-projects', interactive: false,
      filter: function (f) { return /LineString/.test(f.geometry.type); },
      style: function (f) { return {color: colours.kinds[f.properties.kind], weight: 9, opacity: 0.9}; }
    }).addTo(map);
    var projects = L.geoJSON(null, {
      pane: 'gisplan-projects',
      style: function (f) { return {color: colours.stages[f.properties.stage], weight: 4, opacity: 1}; },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, {
          pane: 'gisplan-projects', radius: 8, weight: 3, color: colours.kinds[f.properties.kind],
          fillColor: colours.stages[f.properties.stage], fillOpacity: 0.95
        });
      },
      onEachFeature: function (f, layer) {
        layer.bindPopup(popupHtml(f.properties));
        layer.feature = f;
      }
    }).addTo(map);
    map.gisplanProjects = projects;
    return fetch(cfg.projectsUrl, {credentials: 'same-origin'})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return null;
        casing.addData(data);
        projects.addData(data);
        map.fire('gisplan:projects', {count: data.features.length});
        return data.features.length ? projects.getBounds() : null;
      })
      .catch(function () { return null; });
  }

  /* The legend, built as elements: a swatch's colour is set on its style object (the CSP blocks
   * style="" attributes in HTML). */
  function legendRow(div, label, className, colours) {
    var row = L.DomUtil.create('div', '', div);
    var swatch = L.DomUtil.create('span', className, row);
    for (var prop in colours || {}) swatch.style[prop] = colours[prop];
    row.appendChild(document.createTextNode(label));
  }

  function addLegend(map, cfg) {
    var legend = L.control({position: 'bottomright'});
    legend.onAdd = function () {
      var div = L.DomUtil.create('div', 'gisplan-legend');
      div.id = map.getContainer().id + '-legend';
      L.DomUtil.create('strong', '', div).textContent = _('Kind');
      cfg.legend.kinds.forEach(function (k) { legendRow(div, k.label, 'swatch ring', {borderColor: k.colour}); });
      L.DomUtil.create('strong', '', div).textContent = _('Current stage');
      cfg.legend.stages.forEach(function (s) { legendRow(div, s.label, 'swatch', {background: s.colour}); });
      legendRow(div, _('LAO area'), 'swatch area');
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    legend.addTo(map);
  }

  function setup(map) {
    var cfg = readConfig('gisplan-map-config');
    if (!cfg || map.gisplanLayers) return;
    map.gisplanLayers = true;
    window.GisplanMap.maps[map.getContainer().id] = map;
    map.getContainer().classList.add('gisplan-map');
    addLegend(map, cfg);
    var area = addArea(map, cfg);
    var projects = addProjects(map, cfg);
    Promise.all([area, projects]).then(function (bounds) {
      var areaBounds = bounds[0], projectBounds = bounds[1];
      // the projects in the context of the LAO's area (an LAO without projects: its area)
      var fitBounds = null;
      if (cfg.fit === 'projects' && projectBounds) fitBounds = L.latLngBounds(projectBounds.getSouthWest(), projectBounds.getNorthEast()).pad(0.2);
      if ((cfg.fit === 'projects' || cfg.fit === 'area') && areaBounds) fitBounds = fitBounds ? fitBounds.extend(areaBounds) : areaBounds;
      if (fitBounds) map.fitBounds(fitBounds, {maxZoom: 15});
      new BoundaryLayers(map, cfg);
      map.getContainer().setAttribute('data-gisplan-ready', '1');
      map.fire('gisplan:ready');
    });
  }

  window.addEventListener('map:init', function (e) { setup(e.detail.map); });
  // maps by container id, for other scripts (and browser tests) to reach
  window.GisplanMap = {readConfig: readConfig, escapeHtml: escapeHtml, maps: {}};
})();
