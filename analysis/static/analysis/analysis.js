/* The analysts' map (/analysis/): filters + drawn polygon / map extent → vector tiles, totals,
   a list of the largest budgets and the download link. Configuration comes from the
   "analysis-config" JSON script; everything is fetched from the API with the session. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("analysis-config").textContent);
  var lang = document.documentElement.lang || "th";
  var numberFormat = new Intl.NumberFormat(lang === "th" ? "th-TH" : "en-GB", {maximumFractionDigits: 2});
  var COLOURS = {water: "#1565c0", road: "#e65100"};

  function el(id) { return document.getElementById(id); }

  function projectStyle(props) {
    var colour = COLOURS[props.kind] || "#555";
    return {radius: 4, weight: 3, color: colour, fill: true, fillColor: colour, fillOpacity: 0.8, opacity: 0.9};
  }

  function clusterStyle(props) {
    return {radius: Math.min(22, 3 + Math.sqrt(props.count) / 1.5), weight: 1, color: "#0d47a1", fill: true,
            fillColor: "#1976d2", fillOpacity: 0.55};
  }

  window.addEventListener("map:init", function (event) {
    var map = event.detail.map;
    var form = el("analysis-filters");
    var drawn = new L.FeatureGroup().addTo(map);
    var tiles = null;
    var pending = null;

    if (cfg.extent) {
      map.fitBounds([[cfg.extent[1], cfg.extent[0]], [cfg.extent[3], cfg.extent[2]]]);
    } else {
      map.fitBounds([[5.6, 97.3], [20.5, 105.7]]);
    }

    L.vectorGrid.protobuf(cfg.boundary_tiles_url, {
      vectorTileLayerStyles: {province: {weight: 1, color: "#777", fill: false}},
      maxNativeZoom: 14, interactive: false
    }).addTo(map);

    map.addControl(new L.Control.Draw({
      draw: {polygon: true, rectangle: true, polyline: false, circle: false, marker: false, circlemarker: false},
      edit: {featureGroup: drawn}
    }));
    map.on(L.Draw.Event.CREATED, function (e) { drawn.clearLayers(); drawn.addLayer(e.layer); refresh(); });
    map.on(L.Draw.Event.EDITED, refresh);
    map.on(L.Draw.Event.DELETED, refresh);
    map.on("moveend", function () { if (el("use-extent").checked) { schedule(); } });

    function query() {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) {
        if (value !== "" && key !== "use_extent") { params.append(key, value); }
      });
      if (el("use-extent").checked) {
        var b = map.getBounds();
        params.set("bbox", [Math.max(-180, b.getWest()), Math.max(-90, b.getSouth()),
                            Math.min(180, b.getEast()), Math.min(90, b.getNorth())]
          .map(function (n) { return n.toFixed(6); }).join(","));
      }
      var layers = drawn.getLayers();
      if (layers.length) { params.set("polygon", JSON.stringify(layers[0].toGeoJSON().geometry)); }
      return params;
    }

    function showErrors(body) {
      var list = el("filter-errors");
      list.innerHTML = "";
      (body && body.errors || []).forEach(function (err) {
        var li = document.createElement("li");
        li.textContent = (err.field ? err.field + ": " : "") + (lang === "th" ? err.message_th : err.message_en);
        list.appendChild(li);
      });
    }

    function getJSON(url) {
      return fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) {
          return r.json().then(function (body) { if (!r.ok) { throw body; } return body; });
        });
    }

    function updateTiles(qs) {
      var url = cfg.tiles_url + (qs ? "?" + qs : "");
      if (tiles) { tiles.setUrl(url); return; }
      tiles = L.vectorGrid.protobuf(url, {
        vectorTileLayerStyles: {projects: projectStyle, clusters: clusterStyle},
        interactive: true, maxNativeZoom: 18,
        getFeatureId: function (f) { if (f.id !== undefined) { f.properties.id = f.id; } return f.id; }
      }).addTo(map);
      // VectorGrid's points are CircleMarkers without a latlng: Leaflet 1.9 reads one for every mouse
      // event on a small marker and throws. Without getLatLng it takes the mouse's position instead.
      tiles.on("tileload", function (e) {
        var vt = tiles._vectorTiles && tiles._vectorTiles[tiles._tileCoordsToKey(e.coords)];
        Object.keys((vt && vt._features) || {}).forEach(function (id) {
          var layer = vt._features[id].feature;
          if (layer && layer.getLatLng && !layer._latlng) { Object.getPrototypeOf(layer).getLatLng = null; }
        });
      });
      tiles.on("click", function (e) {
        var props = e.layer.properties || {};
        // VectorGrid's click on a feature may come without latlng: take it from the mouse event
        var at = e.latlng || (e.originalEvent ? map.mouseEventToLatLng(e.originalEvent) : map.getCenter());
        if (props.count !== undefined) {
          L.popup().setLatLng(at).setContent(numberFormat.format(props.count) + " · " +
            numberFormat.format(props.budget_thb) + " ฿").openOn(map);
          return;
        }
        if (props.id === undefined) { return; }
        getJSON(cfg.detail_url + props.id + "/").then(function (f) {
          var p = f.properties, div = document.createElement("div");
          [p.name, p.lao_name + " (" + p.lao_code + ")", p.kind_label + " · " + p.subtype_label,
           p.fiscal_year + " · " + numberFormat.format(p.budget) + " ฿", p.current_stage_label || ""]
            .forEach(function (line) { var d = document.createElement("div"); d.textContent = line; div.appendChild(d); });
          var popup = L.popup().setLatLng(at).setContent(div).openOn(map);
          if (cfg.photos_url) { addPhotos(div, popup, props.id); }
        });
      });
    }

    function addPhotos(div, popup, id) {
      // the project's field photos (thumbnails linking to the photo), when it has any
      getJSON(cfg.photos_url + id + "/photos/").then(function (answer) {
        if (!answer.photos || !answer.photos.length) { return; }
        var row = document.createElement("div");
        row.className = "popup-photos";
        answer.photos.slice(0, 6).forEach(function (photo) {
          var a = document.createElement("a"), img = document.createElement("img");
          a.href = photo.url; a.target = "_blank"; a.rel = "noopener";
          img.src = photo.thumbnail_url; img.alt = ""; img.className = "popup-thumb";
          a.appendChild(img); row.appendChild(a);
        });
        div.appendChild(row);
        popup.update();
      }, function () { /* no photos shown */ });
    }

    function updateExport(qs) {
      var fmt = el("export-format").value;
      el("export-link").href = cfg.export_url + "?format=" + encodeURIComponent(fmt) + (qs ? "&" + qs : "");
    }

    function showSummary(s) {
      showErrors(null);
      el("result-count").textContent = numberFormat.format(s.count);
      el("result-budget").textContent = numberFormat.format(Number(s.budget_total));
      var body = el("result-by-kind");
      body.innerHTML = "";
      s.by_kind.forEach(function (k) {
        var tr = document.createElement("tr");
        [k.label, numberFormat.format(k.count), numberFormat.format(Number(k.budget_total))].forEach(function (v, i) {
          var td = document.createElement("td"); td.textContent = v; if (i) { td.className = "num"; } tr.appendChild(td);
        });
        body.appendChild(tr);
      });
    }

    // The first totals (no filter) came with the page, rendered by the server: the first refresh
    // does not fetch them again; every later one does.
    var firstTotalsShown = Boolean(cfg.initial_summary);

    function refresh() {
      var params = query(), qs = params.toString();
      updateTiles(qs);
      updateExport(qs);
      var skip = firstTotalsShown && qs === "";
      firstTotalsShown = false;
      if (!skip) {
        getJSON(cfg.summary_url + (qs ? "?" + qs : "")).then(showSummary).catch(function (body) { showErrors(body); el("result-count").textContent = "—"; });
      }
      var listParams = new URLSearchParams(params);
      listParams.set("page_size", "20");
      listParams.set("ordering", "-budget");
      getJSON(cfg.list_url + "?" + listParams.toString()).then(function (fc) {
        var list = el("result-list");
        list.innerHTML = "";
        fc.features.forEach(function (f) {
          var li = document.createElement("li");
          var link = document.createElement("a");  // each project opens its page
          link.href = cfg.project_url.replace(/\/0\/$/, "/" + encodeURIComponent(f.id) + "/");
          link.textContent = f.properties.name;
          li.appendChild(link);
          li.appendChild(document.createTextNode(" — " + numberFormat.format(f.properties.budget) + " ฿"));
          li.dataset.id = f.id;
          list.appendChild(li);
        });
      }).catch(function () { /* errors shown from the summary */ });
    }

    function schedule() {
      if (pending) { clearTimeout(pending); }
      pending = setTimeout(refresh, 250);
    }

    form.addEventListener("submit", function (e) { e.preventDefault(); refresh(); });
    form.addEventListener("reset", function () { drawn.clearLayers(); setTimeout(refresh, 0); });
    el("use-extent").addEventListener("change", refresh);
    el("export-format").addEventListener("change", function () { updateExport(query().toString()); });
    refresh();
  });
})();
