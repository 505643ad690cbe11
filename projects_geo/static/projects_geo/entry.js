/*
 * gisplan project entry: drawing, typing and correcting a project's geometry.
 *
 * - GisplanEntry.ProjectGeometryField (django-leaflet's geometry_field_class for the geom widget):
 *   offers the marker tool for a water project and the line tool for a road, switching with the
 *   kind; moving vertices and deleting come from Leaflet.draw's edit toolbar.
 * - The coordinate panel sends typed text to POST /api/validate/ and previews the parsed geometry
 *   (dashed) before the user accepts it.
 * - Every change of the geometry, kind or fiscal year is validated live through the same endpoint:
 *   the tambon / amphoe / province found, warnings and errors in the page language, and an
 *   "apply suggested fix" button that moves the geometry. Saving is blocked while an error stands.
 * Configuration: <script type="application/json" id="gisplan-entry-config">.
 */
(function () {
  'use strict';

  var _ = window.gettext || function (s) { return s; };
  var GisplanEntry = window.GisplanEntry = {};
  var cfg = null, field = null, state = {validation: null, preview: null, seq: 0, timer: null};

  function $(id) { return document.getElementById(id); }
  function config() {
    if (!cfg) {
      var el = $('gisplan-entry-config');
      cfg = el ? JSON.parse(el.textContent) : {};
    }
    return cfg;
  }
  function thai() { return (document.documentElement.lang || 'th').indexOf('en') !== 0; }
  function message(obj) { return (thai() ? obj.message_th : obj.message_en) || obj.message || ''; }
  function kindSelect() { return document.querySelector('[data-entry="kind"]'); }
  function currentKind() { var k = kindSelect(); return k ? k.value : 'water'; }
  function currentSubtype() { var s = document.querySelector('[data-entry="subtype"]'); return s ? s.value : ''; }
  function wantsLine() {
    return config().geometryByKind[currentKind()] === 'line' || (config().lineSubtypes || []).indexOf(currentSubtype()) >= 0;
  }
  function csrfToken() {
    var el = document.querySelector('#project-form [name=csrfmiddlewaretoken]');
    return el ? el.value : '';
  }

  /* ---- the geometry field ------------------------------------------------------------------ */

  GisplanEntry.ProjectGeometryField = L.GeometryField.extend({
    addTo: function (map) {
      field = this;
      L.GeometryField.prototype.addTo.call(this, map);
      this._map.on('draw:created draw:edited draw:deleted', function () { changed('draw'); });
      // Leaflet.draw's edit mode drags markers and vertices; validate once editing ends
      this._map.on('draw:editstop', function () { changed('draw'); });
      setupPage(map);
      return this;
    },

    _controlDrawOptions: function () {
      var line = wantsLine();
      return {
        edit: {featureGroup: this.drawnItems},
        draw: {
          polyline: line ? {shapeOptions: {color: '#d81b60', weight: 4}} : false,
          marker: !line,
          polygon: false, rectangle: false, circle: false, circlemarker: false
        }
      };
    },

    /* Rebuild the draw toolbar when the kind changes (a point for water, a line for a road). */
    refreshControl: function () {
      if (!this.options.modifiable || !this._map) return;
      if (this._drawControl) this._map.removeControl(this._drawControl);
      var control = this._drawControl = new L.Control.Draw(this._controlDrawOptions());
      this._map.addControl(control);
      for (var name in control._toolbars) {
        control._toolbars[name].on('enable disable', function (e) { this._acceptDrawEvents = e.type === 'enable'; }, this);
      }
    },

    geometry: function () {
      var value = this.store.formfield.value;
      return value ? JSON.parse(value) : null;
    },

    /* Replace the geometry (typed coordinates accepted, a fix applied) and show it. */
    setGeometry: function (geojson) {
      this.drawnItems.clearLayers();
      if (geojson) {
        var layer = L.GeoJSON.geometryToLayer({type: 'Feature', geometry: geojson, properties: {}});
        if (layer instanceof L.LayerGroup) layer.eachLayer(function (l) { this.drawnItems.addLayer(l); }, this);
        else this.drawnItems.addLayer(layer);
        this.store.save(this.drawnItems);
        var bounds = this.drawnItems.getBounds();
        if (bounds.isValid()) this._map.fitBounds(bounds, {maxZoom: 16});
      } else {
        this.store.formfield.value = '';
      }
      changed('set');
    }
  });

  /* ---- live validation --------------------------------------------------------------------- */

  function requestBody(extra) {
    var fy = $('id_fiscal_year');
    return L.extend({
      geometry: null, text: null, datum: null, zone: null,
      lao: config().lao, kind: currentKind(),
      fiscal_year: fy && fy.value ? parseInt(fy.value, 10) : null,
      project_id: config().projectId
    }, extra);
  }

  function postValidate(body) {
    return fetch(config().validateUrl, {
      method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrfToken(), 'Accept': 'application/json'},
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) { return {status: r.status, data: data}; },
        function () { return {status: r.status, data: null}; });
    });
  }

  function changed() {
    clearTimeout(state.timer);
    state.timer = setTimeout(validateCurrent, 250);
  }

  function validateCurrent() {
    var geometry = field ? field.geometry() : null;
    var seq = ++state.seq;
    if (!geometry) {
      state.validation = null;
      if (!state.preview) {  // a typed preview's findings stay until it is accepted or cancelled
        showUnits(null);
        showFindings([], 'current');
      }
      setStatus('');
      updateSave();
      return;
    }
    setStatus(_('Checking the location…'));
    // Coordinates typed (and accepted) keep how they were typed while the geometry is unchanged:
    // only typed UTM numbers can have a zone or datum mix-up; a drawn geometry sends none.
    var typed = state.typed && JSON.stringify(geometry) === state.typed.geometry ? state.typed.as : null;
    postValidate(requestBody({geometry: geometry, typed_as: typed})).then(function (res) {
      if (seq !== state.seq) return;  // a newer change is being checked
      if (res.status === 200 && res.data) {
        state.validation = res.data;
        if (!state.preview) {  // while a typed preview is shown, the list is the preview's
          showUnits(res.data.units);
          showFindings(res.data.findings, 'current');
        }
        setStatus(res.data.ok ? (res.data.findings.length ? _('The location can be saved; see the warnings.') : _('The location is valid.')) : _('The location has errors.'));
      } else if (res.status === 400 && res.data && res.data.errors) {
        state.validation = {ok: false, findings: []};
        if (!state.preview) {
          showFindings(res.data.errors.map(function (e) { return L.extend({severity: 'error', code: e.field}, e); }), 'current');
        }
        setStatus(_('The location has errors.'));
      } else {
        state.validation = null;
        setStatus(_('The location could not be checked now; it will be checked again when you save.'));
      }
      updateSave();
    }, function () {
      if (seq !== state.seq) return;
      state.validation = null;
      setStatus(_('The location could not be checked now; it will be checked again when you save.'));
      updateSave();
    });
  }

  function setStatus(text) { var el = $('validation-status'); if (el) el.textContent = text; }

  function unitNames(list) {
    return (list || []).map(function (u) {
      var name = thai() ? u.name_th : (u.name_en || u.name_th);
      return u.share != null && list.length > 1 ? name + ' (' + Math.round(u.share * 100) + '%)' : name;
    }).join(', ') || '–';
  }

  function showUnits(units) {
    $('unit-tambon').textContent = units ? unitNames(units.tambons) : '–';
    $('unit-amphoe').textContent = units ? unitNames(units.amphoe) : '–';
    $('unit-province').textContent = units ? unitNames(units.province) : '–';
  }

  function showFindings(findings, target) {
    var box = $('findings');
    if (!box) return;
    box.innerHTML = '';
    clearGhosts();
    findings.forEach(function (f) {
      var div = document.createElement('div');
      div.className = 'finding ' + f.severity;
      div.setAttribute('data-code', f.code || '');
      var sev = document.createElement('span');
      sev.className = 'severity';
      sev.textContent = f.severity === 'error' ? _('Error') : _('Warning');
      div.appendChild(sev);
      div.appendChild(document.createTextNode(' ' + message(f)));
      if (f.data && f.data.duplicate_url) {  // "open the existing project": a link to it
        var link = document.createElement('a');
        link.href = f.data.duplicate_url;
        link.className = 'duplicate-link';
        link.textContent = _('Open the existing project');
        div.appendChild(document.createTextNode(' '));
        div.appendChild(link);
      }
      if (f.suggestion && config().editable) {
        var button = document.createElement('button');
        button.type = 'button';
        button.className = 'apply-fix';
        var unlikely = f.data && f.data.likelihood === 'low';
        if (unlikely) button.classList.add('unlikely');
        button.textContent = unlikely ? _('Use the suggested location anyway (unlikely)') : _('Apply suggested fix');
        button.addEventListener('click', function () { applyFix(f.suggestion); });
        div.appendChild(document.createTextNode(' '));
        div.appendChild(button);
        showGhost(f.suggestion);
      }
      box.appendChild(div);
    });
    box.setAttribute('data-for', target);
  }

  function updateSave() {
    var button = $('save-project'), note = $('save-blocked');
    if (!button) return;
    var blocked = !!(state.validation && state.validation.ok === false);
    button.disabled = blocked;
    if (note) note.hidden = !blocked;
  }

  /* Suggested fixes are drawn as dotted ghosts so the user sees where the geometry would move. */
  var ghosts = null;
  function clearGhosts() { if (ghosts) ghosts.clearLayers(); }
  function showGhost(geojson) {
    if (!field || !field._map) return;
    if (!ghosts) ghosts = L.featureGroup().addTo(field._map);
    L.geoJSON(geojson, {
      interactive: false,
      style: {color: '#2e7d32', weight: 3, dashArray: '2 6'},
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, {radius: 9, color: '#2e7d32', weight: 2, dashArray: '2 4', fill: false});
      }
    }).addTo(ghosts);
  }

  function applyFix(suggestion) {
    discardPreview();
    field.setGeometry(suggestion);
    coordsMessage(_('The suggested fix was applied; the geometry moved on the map.'), 'success');
  }

  /* ---- the coordinate panel ---------------------------------------------------------------- */

  var previewLayer = null;

  function coordsMessage(text, cls) {
    var el = $('coords-message');
    if (!el) return;
    el.textContent = text;
    el.className = cls || 'muted';
  }

  function discardPreview() {
    if (previewLayer) { previewLayer.remove(); previewLayer = null; }
    state.preview = null;
    if ($('coords-accept')) $('coords-accept').disabled = true;
    if ($('coords-cancel')) $('coords-cancel').disabled = true;
  }

  function preview() {
    var text = $('coords-text').value.trim();
    if (!text) { coordsMessage(_('Type the coordinates first.'), 'error'); return; }
    var system = $('coords-system').value;
    var body = requestBody({
      text: text,
      datum: $('coords-datum').value,
      zone: system === 'latlon' ? null : parseInt(system, 10)
    });
    discardPreview();
    coordsMessage(_('Reading the coordinates…'));
    postValidate(body).then(function (res) {
      if (res.status === 400 && res.data && res.data.errors) {
        coordsMessage(res.data.errors.map(message).join(' '), 'error');
        return;
      }
      if (res.status !== 200 || !res.data) {
        coordsMessage(_('The coordinates could not be read now; try again.'), 'error');
        return;
      }
      if (!res.data.geometry) {  // unreadable as typed, but the findings may suggest a reading
        showUnits(null);
        showFindings(res.data.findings || [], 'preview');
        coordsMessage(_('These coordinates give no location as typed; see the findings.'), 'error');
        return;
      }
      state.preview = res.data;
      previewLayer = L.geoJSON(res.data.geometry, {
        interactive: false,
        style: {color: '#ff6f00', weight: 4, dashArray: '8 6'},
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, {radius: 10, color: '#ff6f00', weight: 3, dashArray: '4 3', fillOpacity: 0.2});
        }
      }).addTo(field._map);
      field._map.fitBounds(previewLayer.getBounds(), {maxZoom: 16});
      showUnits(res.data.units);
      showFindings(res.data.findings, 'preview');
      var note = swappedLines(text, res.data.preview) ? _('Longitude was typed before latitude: the coordinates were read the other way round (see the preview).') + ' ' : '';
      $('coords-message').setAttribute('data-swapped', note ? '1' : '0');
      var findings = res.data.findings || [];
      var hasError = findings.some(function (f) { return f.severity === 'error'; });
      var hasWarning = findings.some(function (f) { return f.severity === 'warning'; });
      var tone = hasError ? 'error' : (note || hasWarning) ? 'warning' : 'success';
      var tail = hasError ? _('The preview has errors (listed below): correct the coordinates before using them.')
        : _('Preview shown on the map (dashed). Accept it to use it as the location.');
      coordsMessage(note + (res.data.preview ? res.data.preview + ' — ' : '') + tail, tone);
      $('coords-accept').disabled = false;
      $('coords-cancel').disabled = false;
    }, function () {
      coordsMessage(_('The coordinates could not be read now; try again.'), 'error');
    });
  }

  /* True when a typed decimal pair came back latitude-first the other way round (the server reads
   * a Thai pair typed longitude-first correctly; the user should see that it did). */
  function swappedLines(text, preview) {
    if (!preview) return false;
    var typed = text.split(/\n|;/).filter(function (l) { return l.trim(); });
    var read = preview.split(';');
    return typed.some(function (line, i) {
      var nums = (line.match(/-?\d+(?:\.\d+)?/g) || []).map(Number);
      var got = (read[i] || '').split(',').map(Number);
      return nums.length === 2 && got.length === 2 && Math.abs(nums[0] - got[1]) < 1e-5 && Math.abs(nums[1] - got[0]) < 1e-5;
    });
  }

  function accept() {
    if (!state.preview) return;
    var geometry = state.preview.geometry;
    var typedAs = state.preview.typed_as;
    discardPreview();
    field.setGeometry(geometry);  // validated after a short delay, with how it was typed:
    state.typed = typedAs ? {geometry: JSON.stringify(field.geometry()), as: typedAs} : null;
    coordsMessage(_('The typed coordinates are now the project location.'), 'success');
  }

  /* ---- attributes -------------------------------------------------------------------------- */

  function filterSubtypes() {
    var select = document.querySelector('[data-entry="subtype"]');
    if (!select) return;
    var allowed = config().subtypesByKind[currentKind()] || [];
    var keep = false;
    Array.prototype.forEach.call(select.options, function (opt) {
      var ok = !opt.value || allowed.indexOf(opt.value) >= 0;
      opt.hidden = !ok;
      opt.disabled = !ok;
      if (ok && opt.selected && opt.value) keep = true;
    });
    if (!keep) select.value = '';
  }

  function setupPage(map) {
    filterSubtypes();
    var kind = kindSelect();
    if (kind) kind.addEventListener('change', function () {
      filterSubtypes();
      field.refreshControl();
      changed('kind');
    });
    var subtype = document.querySelector('[data-entry="subtype"]');
    if (subtype) subtype.addEventListener('change', function () { field.refreshControl(); changed('subtype'); });
    var fy = $('id_fiscal_year');
    if (fy) fy.addEventListener('change', function () { changed('fiscal_year'); });
    if ($('coords-preview')) {
      $('coords-preview').addEventListener('click', preview);
      $('coords-accept').addEventListener('click', accept);
      $('coords-cancel').addEventListener('click', function () { discardPreview(); coordsMessage(''); changed('cancel'); });
    }
    var form = $('project-form');
    if (form) form.addEventListener('submit', function (e) {
      if (state.validation && state.validation.ok === false) {
        e.preventDefault();
        updateSave();
      } else {
        field._unsavedChanges = false;
      }
    });
    map.getContainer().setAttribute('data-entry-ready', '1');
    if (field.geometry()) changed('load');
  }

  /* Deleting a project asks first (the button's data-confirm text; no inline handler under the CSP). */
  function confirmDelete(e) {
    var button = $('delete-project');
    if (button && !window.confirm(button.dataset.confirm)) e.preventDefault();
  }
  document.addEventListener('DOMContentLoaded', function () {
    var form = $('delete-form');
    if (form) form.addEventListener('submit', confirmDelete);
  });
})();
