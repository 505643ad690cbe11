/* gisplan field capture page (/field/): "Here" and "Record the road" from the phone's GPS, the
 * project's attributes and photos, a queue on the device (queue.js) sent with idempotency keys
 * when there is a signal, the server's findings and conflicts shown to the person.
 * Configuration and messages come from the json_script blocks "field-config" / "field-messages".
 */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("field-config").textContent);
  var MSG = JSON.parse(document.getElementById("field-messages").textContent);
  var Geo = window.GisplanGeo, Queue = window.GisplanQueue;
  var $ = function (id) { return document.getElementById(id); };
  var state = {
    data: null, projects: {}, project: null, geometry: null, photos: [],
    watch: null, averager: null, recorder: null, syncing: false,
  };
  var map, areaLayer, projectsLayer, captureLayer, accuracyCircle;
  window.GisplanField = state; // for tests and debugging

  function fmt(text, params) {
    return String(text).replace(/%\(([a-z]+)\)s/g, function (_, name) { return params && name in params ? params[name] : ""; });
  }
  function round(value) { return Math.round(value).toLocaleString(config.language === "en" ? "en-US" : "th-TH"); }
  function message(obj) {
    if (!obj) return "";
    return (config.language === "en" ? obj.message_en : obj.message_th) || obj.message || obj.message_en || "";
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function gps(text, cls) { var p = $("gps-status"); p.textContent = text; p.className = "gps-status " + (cls || ""); }

  // ------------------------------------------------------------------ the map and offline data
  function initMap() {
    map = L.map("field-map", { zoomControl: true, attributionControl: !!config.basemap }).setView([13.7, 100.5], 6);
    if (config.basemap) L.tileLayer(config.basemap, { maxZoom: 19 }).addTo(map);
    areaLayer = L.geoJSON(null, { style: { color: "#1f5f8b", weight: 2, fill: false } }).addTo(map);
    projectsLayer = L.geoJSON(null, {
      style: { color: "#777", weight: 3 },
      pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 5, color: "#777" }); },
    }).addTo(map);
    captureLayer = L.layerGroup().addTo(map);
  }

  function loadData() {
    return fetch(config.dataUrl, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok || r.redirected) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (data) {
      Queue.saveOffline(data);
      return data;
    }).catch(function () { return Queue.loadOffline(config.lao); }).then(function (data) {
      if (data) showData(data);
    });
  }

  function showData(data) {
    state.data = data;
    areaLayer.clearLayers();
    projectsLayer.clearLayers();
    if (data.area) {
      areaLayer.addData(data.area);
      map.fitBounds(areaLayer.getBounds());
    }
    projectsLayer.addData(data.projects);
    var select = $("project-choice");
    while (select.options.length > 1) select.remove(1);
    state.projects = {};
    data.projects.features.forEach(function (f) {
      state.projects[f.properties.id] = f;
      var option = el("option", null, f.properties.name + " (" + f.properties.fiscal_year + ")");
      option.value = f.properties.id;
      select.appendChild(option);
    });
    var wanted = /^#project-(\d+)$/.exec(location.hash);
    if (wanted && state.projects[wanted[1]]) { select.value = wanted[1]; chooseProject(); }
  }

  // ------------------------------------------------------------------ the form
  function fillKinds() {
    var kind = $("f-kind");
    config.kinds.forEach(function (k) { var o = el("option", null, k[1]); o.value = k[0]; kind.appendChild(o); });
    kind.addEventListener("change", function () { fillSubtypes(); });
    fillSubtypes();
    $("f-fiscal-year").value = config.fiscalYear;
    var stage = $("photo-stage");
    config.stages.forEach(function (s) { var o = el("option", null, s[1]); o.value = s[0]; stage.appendChild(o); });
  }
  function fillSubtypes(value) {
    var select = $("f-subtype");
    select.innerHTML = "";
    (config.subtypes[$("f-kind").value] || []).forEach(function (s) {
      var o = el("option", null, s[1]); o.value = s[0]; select.appendChild(o);
    });
    if (value) select.value = value;
  }
  function setKind(kind, subtype) {
    if ($("f-kind").value !== kind) { $("f-kind").value = kind; fillSubtypes(subtype); }
    else if (subtype) $("f-subtype").value = subtype;
  }
  function chooseProject() {
    var id = $("project-choice").value;
    state.project = id ? state.projects[id] : null;
    state.geometry = null;
    captureLayer.clearLayers();
    if (state.project) {
      var p = state.project.properties;
      $("f-name").value = p.name;
      setKind(p.kind, p.subtype);
      $("f-fiscal-year").value = p.fiscal_year;
      $("f-budget").value = p.budget;
      var layer = L.geoJSON(state.project.geometry, { style: { color: "#c05800", weight: 5 } }).addTo(captureLayer);
      map.fitBounds(layer.getBounds(), { maxZoom: 17 });
    } else {
      $("f-name").value = "";
      $("f-budget").value = "";
      $("f-fiscal-year").value = config.fiscalYear;
    }
    showFindings(null);
  }

  // ------------------------------------------------------------------ "Here"
  function stopWatch() {
    if (state.watch !== null) navigator.geolocation.clearWatch(state.watch);
    state.watch = null;
  }
  function here() {
    if (!navigator.geolocation) { gps(MSG.noGps, "error"); return; }
    stopTrack(false);
    stopWatch();
    state.averager = new Geo.PositionAverager({ goodAccuracy: config.goodAccuracy, maxAccuracy: config.maxAccuracy });
    state.watch = navigator.geolocation.watchPosition(onHereReading, onGpsError, { enableHighAccuracy: true, maximumAge: 0, timeout: 30000 });
  }
  function onHereReading(pos) {
    var c = pos.coords, outcome = state.averager.add(c.latitude, c.longitude, c.accuracy);
    if (outcome.status === "refused") {
      gps(fmt(MSG.refusedAccuracy, { acc: round(c.accuracy), max: round(config.maxAccuracy) }), "error");
      return;
    }
    var r = outcome.result;
    drawAccuracy(r.lat, r.lon, c.accuracy);
    if (outcome.status === "waiting") {
      gps(fmt(MSG.waiting, { acc: round(c.accuracy), good: round(config.goodAccuracy), n: outcome.goodCount, need: state.averager.minSamples }));
      return;
    }
    stopWatch();
    gps(fmt(MSG.hereDone, { acc: r.accuracy.toFixed(1), n: r.count }), "ok");
    var lineSubtype = config.lineSubtypes.indexOf($("f-subtype").value) >= 0;
    if (!state.project && ($("f-kind").value === "road" || lineSubtype)) setKind("water");
    setGeometry({ type: "Point", coordinates: [round7(r.lon), round7(r.lat)] });
  }
  function round7(v) { return Math.round(v * 1e7) / 1e7; }
  function drawAccuracy(lat, lon, accuracy) {
    if (accuracyCircle) captureLayer.removeLayer(accuracyCircle);
    accuracyCircle = L.circle([lat, lon], { radius: accuracy, color: "#1f78d1", weight: 1, fillOpacity: 0.15 }).addTo(captureLayer);
    map.setView([lat, lon], Math.max(map.getZoom(), 17));
  }
  function onGpsError(err) {
    var reason = { 1: MSG.gpsDenied, 2: MSG.gpsUnavailable, 3: MSG.gpsTimeout }[err.code] || err.message || err.code;
    gps(fmt(MSG.gpsError, { error: reason }), "error");
  }

  // ------------------------------------------------------------------ "Record the road"
  function record() {
    if (!navigator.geolocation) { gps(MSG.noGps, "error"); return; }
    stopWatch();
    state.recorder = new Geo.TrackRecorder({ maxAccuracy: config.maxAccuracy, maxSpeed: config.maxSpeed });
    state.trackLine = L.polyline([], { color: "#d11f1f", weight: 4 }).addTo(captureLayer);
    toggleTrackButtons(true);
    if (!state.project && $("f-kind").value !== "road" && config.lineSubtypes.indexOf($("f-subtype").value) < 0) setKind("road");
    state.watch = navigator.geolocation.watchPosition(onTrackReading, onGpsError, { enableHighAccuracy: true, maximumAge: 0 });
    showLength();
  }
  function onTrackReading(pos) {
    var c = pos.coords, rec = state.recorder;
    var outcome = rec.add(c.latitude, c.longitude, c.accuracy, pos.timestamp);
    if (outcome === "inaccurate") gps(fmt(MSG.refusedAccuracy, { acc: round(c.accuracy), max: round(config.maxAccuracy) }), "error");
    if (outcome === "kept") {
      state.trackLine.addLatLng([c.latitude, c.longitude]);
      drawAccuracy(c.latitude, c.longitude, c.accuracy);
      gps("");
    }
    showLength();
  }
  function showLength() {
    var rec = state.recorder;
    if (!rec) return;
    var text = rec.paused ? MSG.paused : MSG.recording;
    $("track-length").textContent = fmt(text, { len: round(rec.length()), n: rec.points.length });
  }
  function pause() {
    var rec = state.recorder;
    if (!rec) return;
    rec.paused = !rec.paused;
    $("btn-pause").classList.toggle("on", rec.paused);
    showLength();
  }
  function toggleTrackButtons(recording) {
    $("btn-record").hidden = recording;
    $("btn-here").hidden = recording;
    $("btn-pause").hidden = !recording;
    $("btn-stop").hidden = !recording;
  }
  function stopTrack(keep) {
    var rec = state.recorder;
    if (!rec) return;
    stopWatch();
    toggleTrackButtons(false);
    state.recorder = null;
    if (!keep) return;
    if (rec.points.length < 2) { $("track-length").textContent = MSG.trackShort; return; }
    var simple = Geo.simplify(rec.points, config.simplifyTolerance || 3);
    captureLayer.removeLayer(state.trackLine);
    state.trackLine = L.polyline(simple.map(function (p) { return [p.lat, p.lon]; }), { color: "#d11f1f", weight: 5 }).addTo(captureLayer);
    $("track-length").textContent = fmt(MSG.trackDone, { len: round(Geo.length(simple)), n: simple.length });
    gps("");
    map.fitBounds(state.trackLine.getBounds(), { maxZoom: 18, padding: [20, 20] });
    setGeometry({ type: "LineString", coordinates: simple.map(function (p) { return [round7(p.lon), round7(p.lat)]; }) });
  }

  // ------------------------------------------------------------------ validation (online)
  function setGeometry(geometry) {
    state.geometry = geometry;
    if (geometry.type === "Point") {
      captureLayer.eachLayer(function (l) { if (l !== accuracyCircle) captureLayer.removeLayer(l); });
      L.circleMarker([geometry.coordinates[1], geometry.coordinates[0]], { radius: 7, color: "#d11f1f" }).addTo(captureLayer);
    }
    validate();
  }
  function validate() {
    if (!state.geometry || !navigator.onLine) return;
    var body = {
      geometry: state.geometry, lao: config.lao, kind: $("f-kind").value,
      fiscal_year: Number($("f-fiscal-year").value) || null,
      project_id: state.project ? state.project.properties.id : null,
    };
    post("/api/validate/", JSON.stringify(body), { "Content-Type": "application/json" }).then(function (r) {
      return r.json().then(function (data) { showFindings(r.ok ? data.findings : data.errors); });
    }).catch(function () { /* offline after all: checked when sent */ });
  }
  function showFindings(findings) {
    var box = $("findings");
    box.innerHTML = "";
    if (!findings) return;
    if (!findings.length) { box.appendChild(el("p", "ok", MSG.noFindings)); return; }
    var list = el("ul", "findings-list");
    findings.forEach(function (f) {
      var li = el("li", f.severity === "error" ? "error" : "warning", message(f));
      li.dataset.code = f.code || f.field || "";
      list.appendChild(li);
    });
    box.appendChild(list);
  }

  // ------------------------------------------------------------------ the queue and sending
  function csrf() {
    var m = /(?:^|;\s*)csrftoken=([^;]+)/.exec(document.cookie);
    return m ? decodeURIComponent(m[1]) : config.csrf;
  }
  function post(url, body, headers) {
    var h = Object.assign({ "X-CSRFToken": csrf() }, headers || {});
    return fetch(url, { method: "POST", body: body, headers: h, credentials: "same-origin" });
  }

  function save() {
    var name = $("f-name").value.trim();
    var captureKey = null;
    if (state.geometry || !state.project || attributesChanged()) {
      if (!state.geometry && !state.project) { showFindings([{ message_th: MSG.needGeometry, message_en: MSG.needGeometry, severity: "error" }]); return; }
      if (!name) { showFindings([{ message_th: MSG.needName, message_en: MSG.needName, severity: "error" }]); return; }
      captureKey = Queue.newKey("capture");
      var body = {
        lao: config.lao, name: name, kind: $("f-kind").value, subtype: $("f-subtype").value,
        fiscal_year: $("f-fiscal-year").value, budget: $("f-budget").value,
      };
      if (state.geometry) body.geometry = state.geometry; // an edit of the attributes only keeps the saved location
      if (state.project) { body.project_id = state.project.properties.id; body.version = state.project.properties.version; }
      Queue.put({ key: captureKey, type: "capture", body: body, label: name });
    }
    var stage = $("photo-stage").value;
    var photoPuts = state.photos.map(function (file) {
      return Queue.put({
        key: Queue.newKey("photo"), type: "photo", file: file, fileName: file.name, stage: stage,
        // a photo of a project that exists goes to it (whatever becomes of the capture); of a new one,
        // to the project its capture creates
        projectId: state.project ? state.project.properties.id : null, projectKey: state.project ? null : captureKey,
        label: file.name,
      });
    });
    Promise.all(photoPuts).then(function () {
      state.photos = [];
      $("photo-list").textContent = "";
      state.geometry = null;
      captureLayer.clearLayers();
      $("track-length").textContent = "";
      showFindings(null);
      $("gps-status").textContent = navigator.onLine ? "" : MSG.queuedOne;
      if (!state.project) { $("f-name").value = ""; $("f-budget").value = ""; } // ready for the next one
      return refreshCount();
    }).then(sync);
  }

  function attributesChanged() {
    var p = state.project.properties;
    return $("f-name").value.trim() !== p.name || $("f-kind").value !== p.kind || $("f-subtype").value !== p.subtype ||
      String($("f-fiscal-year").value) !== String(p.fiscal_year) || $("f-budget").value.trim() !== String(p.budget);
  }

  function refreshCount() {
    return Queue.all().then(function (items) {
      var waiting = items.filter(function (i) { return i.status !== "conflict"; }).length;
      $("queue-count").textContent = waiting ? fmt(MSG.queued, { n: waiting }) : "";
      $("queue-count").dataset.count = waiting;
      items.filter(function (i) { return i.status === "conflict"; }).forEach(showConflict);
      return items;
    });
  }

  function sync() {
    if (state.syncing || !navigator.onLine) return Promise.resolve();
    state.syncing = true;
    return Queue.all().then(function (items) {
      var chain = Promise.resolve();
      items.forEach(function (item) {
        chain = chain.then(function () { return item.status === "conflict" ? null : send(item); });
      });
      return chain;
    }).catch(function () { /* the signal went again: the rest waits */ }).then(function () {
      state.syncing = false;
      if ($("gps-status").textContent === MSG.queuedOne) gps("");
      return refreshCount();
    });
  }

  function send(item) {
    if (item.type === "capture") {
      return post("/api/field/captures/", JSON.stringify(item.body), { "Content-Type": "application/json", "Idempotency-Key": item.key })
        .then(function (r) { return r.json().then(function (body) { return captureAnswered(item, r.status, body); }); });
    }
    return projectOf(item).then(function (projectId) {
      if (projectId === false) { // its capture was refused: the photo has no project to go to
        return photoAnswered(item, 400, { errors: [{ message_th: MSG.photoNoProject, message_en: MSG.photoNoProject }] });
      }
      if (!projectId) return null; // its capture is not sent yet
      var form = new FormData();
      form.append("file", item.file, item.fileName || "photo.jpg");
      form.append("key", item.key);
      if (item.stage) form.append("stage", item.stage);
      return post("/api/field/projects/" + projectId + "/photos/", form, { "Idempotency-Key": item.key })
        .then(function (r) { return r.json().then(function (body) { return photoAnswered(item, r.status, body); }); });
    });
  }

  function projectOf(item) {
    if (item.projectId) return Promise.resolve(item.projectId);
    return Queue.answer(item.projectKey).then(function (answer) {
      if (!answer) return null;
      return answer.project ? answer.project.id : false;
    });
  }

  function captureAnswered(item, status, body) {
    if (status === 409 && body.status === "conflict") {
      item.status = "conflict";
      item.server = body.server;
      return Queue.put(item).then(function () { showConflict(item); });
    }
    if (status >= 500) throw new Error("server " + status); // tried again later
    return Queue.done(item.key, body).then(function () { return Queue.remove(item.key); }).then(function () {
      report(item, status, body);
      if (body.project) updateProject(body.project);
    });
  }

  function photoAnswered(item, status, body) {
    if (status >= 500) throw new Error("server " + status);
    return Queue.done(item.key, body).then(function () { return Queue.remove(item.key); }).then(function () {
      var ok = status === 200 || status === 201;
      var card = el("div", "result " + (ok ? "saved" : "refused"));
      card.dataset.key = item.key;
      card.appendChild(el("strong", null, fmt(ok ? MSG.photoSent : MSG.photoRefused, { name: item.fileName || "" })));
      var findings = ok ? body.photo.findings : body.errors;
      appendFindings(card, findings);
      if (ok) {
        var img = el("img", "thumb");
        img.src = body.photo.thumbnail_url;
        img.alt = item.fileName || "";
        card.appendChild(img);
      }
      $("outbox").prepend(card);
    });
  }

  function appendFindings(card, findings) {
    if (!findings || !findings.length) return;
    var list = el("ul", "findings-list");
    findings.forEach(function (f) {
      var li = el("li", f.severity === "error" ? "error" : "warning", message(f));
      li.dataset.code = f.code || f.field || "";
      list.appendChild(li);
    });
    card.appendChild(list);
  }

  function report(item, status, body) {
    var ok = status === 200 && body.project;
    var card = el("div", "result " + (ok ? "saved" : "refused"));
    card.dataset.key = item.key;
    card.appendChild(el("strong", null, fmt(ok ? MSG.saved : MSG.refused, { name: item.label || "" })));
    appendFindings(card, body.findings || body.errors);
    if (ok && !(body.findings || []).length) card.appendChild(el("p", "ok no-findings", MSG.noFindings));
    if (ok) {
      var a = el("a", null, MSG.openProject);
      a.href = body.project.url;
      card.appendChild(document.createTextNode(" "));
      card.appendChild(a);
    }
    $("outbox").prepend(card);
  }

  function updateProject(project) {
    if (!state.data) return;
    var found = state.projects[project.id];
    var feature = { type: "Feature", geometry: project.geometry, properties: Object.assign({}, found ? found.properties : {}, project) };
    delete feature.properties.geometry;
    if (found) {
      var i = state.data.projects.features.indexOf(found);
      state.data.projects.features[i] = feature;
    } else {
      state.data.projects.features.push(feature);
    }
    Queue.saveOffline(state.data);
    var chosen = $("project-choice").value;
    showData(state.data);
    $("project-choice").value = chosen;
  }

  function showConflict(item) {
    if (document.querySelector('.conflict[data-key="' + item.key + '"]')) return;
    var card = el("div", "result conflict");
    card.dataset.key = item.key;
    card.appendChild(el("strong", null, fmt(MSG.conflict, { name: item.label || "", server: item.server ? item.server.version : "?" })));
    var row = el("div", "field-row");
    var mine = el("button", "big", MSG.keepMine);
    mine.type = "button";
    mine.className = "keep-mine";
    mine.addEventListener("click", function () {
      // sent again on the server's version, under a new key: the person chose to replace it
      var again = { key: Queue.newKey("capture"), type: "capture", label: item.label, body: Object.assign({}, item.body, { version: item.server.version }) };
      Queue.remove(item.key).then(function () { return Queue.put(again); }).then(function () { card.remove(); return sync(); });
    });
    var theirs = el("button", "big", MSG.keepServer);
    theirs.type = "button";
    theirs.className = "keep-server";
    theirs.addEventListener("click", function () {
      Queue.remove(item.key).then(function () {
        card.remove();
        if (item.server) updateProject(item.server);
        return refreshCount();
      });
    });
    row.appendChild(mine);
    row.appendChild(theirs);
    card.appendChild(row);
    $("outbox").prepend(card);
  }

  // ------------------------------------------------------------------ photos and status
  function addPhotos(event) {
    var tooBig = [];
    Array.prototype.forEach.call(event.target.files, function (f) {
      if (f.size > config.maxPhotoMb * 1048576) tooBig.push(f.name); else state.photos.push(f);
    });
    if (tooBig.length) {
      var text = fmt(MSG.photoTooBig, { name: tooBig.join(", "), max: config.maxPhotoMb });
      showFindings([{ message_th: text, message_en: text, severity: "error", code: "photo_too_big" }]);
    }
    event.target.value = "";
    $("photo-list").textContent = fmt(MSG.photosChosen, { n: state.photos.length });
  }
  function showNet() {
    var online = navigator.onLine;
    $("net-status").textContent = online ? MSG.online : MSG.offline;
    $("net-status").className = "net " + (online ? "online" : "offline");
    document.body.classList.toggle("is-offline", !online);
  }

  function start() {
    if (!$("field-map")) return;
    initMap();
    fillKinds();
    showNet();
    $("project-choice").addEventListener("change", chooseProject);
    $("btn-here").addEventListener("click", here);
    $("btn-record").addEventListener("click", record);
    $("btn-pause").addEventListener("click", pause);
    $("btn-stop").addEventListener("click", function () { stopTrack(true); });
    $("btn-save").addEventListener("click", save);
    $("photo-camera").addEventListener("change", addPhotos);
    $("photo-gallery").addEventListener("change", addPhotos);
    window.addEventListener("online", function () { showNet(); sync(); });
    window.addEventListener("offline", showNet);
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/field/sw.js", { scope: "/field/" }).catch(function () { /* no offline page */ });
    }
    loadData().then(refreshCount).then(sync).then(function () { document.body.dataset.fieldReady = "1"; });
  }
  start();
})();
