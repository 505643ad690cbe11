/*
 * django-leaflet's maps and geometry widgets without inline scripts (Content-Security-Policy:
 * script-src 'self'). Our templates/leaflet/_leaflet_map.html and widget.html replace
 * django-leaflet's inline <script> blocks with data-* attributes; this file does what those blocks
 * did, in the same order:
 *  - a geometry widget (data-gisplan-leaflet-field) defines its map callback, which adds the
 *    widget's geometry field class (e.g. GisplanEntry.ProjectGeometryField) to the map;
 *  - a map (data-gisplan-leaflet-map) is created by L.Map.djangoMap on its load events ("load"
 *    by default), firing django-leaflet's `map:init` event for maplayers.js, analysis.js, ….
 * Globals are kept as django-leaflet makes them (window['leafletmap' + id], window['loadmap' + id],
 * the widget's callback and its `geodjango_<field>` object). Included by every map: runs once.
 */
(function () {
  'use strict';

  if (window.GisplanLeaflet) return;
  window.GisplanLeaflet = {};

  /* A dotted global name ("L.FieldStore") → the object it names, or null. */
  function resolve(path) {
    if (!path) return null;
    return path.split('.').reduce(function (obj, key) { return obj == null ? null : obj[key]; }, window);
  }

  function addField(map, d, module, options) {
    module.field_store_class = resolve(d.fieldStoreClass);
    module.precision = options.djoptions.precision;
    var FieldClass = resolve(d.geometryFieldClass);
    (new FieldClass(module)).addTo(map);
  }

  function setupField(el) {
    var d = el.dataset;
    var module = {
      fieldid: d.fieldid,
      modifiable: d.modifiable === 'true',
      geom_type: d.geomType,
      srid: parseInt(d.srid, 10)
    };
    window[d.module] = module;
    window[d.callback] = function (map, options) { addField(map, d, module, options); };
    if (!d.targetMap) return;
    // a field drawn on another page's map, as django-leaflet's widget does with `target_map`
    window.addEventListener('map:init', function (e) {
      var target = e.detail.map;
      target.on('map:loadfield', function (me) {
        if (me.fieldid === 'id_' + d.targetMap) {
          setTimeout(function () { window[d.callback](target, e.detail.options); }, 0);
        }
      });
    }, false);
  }

  function setupMap(el) {
    var d = el.dataset, name = d.gisplanLeafletMap, globals = d.globals === 'true';

    function loadmap() {
      var options = {
        djoptions: JSON.parse(d.djoptions),
        initfunc: loadmap,
        globals: globals,
        callback: resolve(d.callback)
      };
      var map = L.Map.djangoMap(name, options);
      if (globals && map) window['leafletmap' + name] = map;
    }

    if (globals) window['loadmap' + name] = loadmap;
    var events = JSON.parse(d.loadevents || '[]');
    if (events.length === 0 || (events.indexOf('load') >= 0 && document.readyState === 'complete')) {
      loadmap();
      return;
    }
    events.forEach(function (type) { window.addEventListener(type, loadmap, false); });
  }

  function setupAll() {
    document.querySelectorAll('[data-gisplan-leaflet-field]').forEach(setupField);
    document.querySelectorAll('[data-gisplan-leaflet-map]').forEach(setupMap);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', setupAll);
  else setupAll();
})();
