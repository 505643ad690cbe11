/* gisplan field capture: the geometry of a phone's GPS readings (no DOM, no Leaflet).
 *  - GisplanGeo.distance(a, b): metres between two {lat, lon} (haversine on the WGS84 mean radius);
 *  - GisplanGeo.PositionAverager: readings of "Here", refused above a maximum accuracy, averaged
 *    (weighted by 1/accuracy²) until enough good ones (accuracy ≤ the threshold) have arrived;
 *  - GisplanGeo.TrackRecorder: "Record the road": readings filtered for accuracy, jitter (a move
 *    shorter than the reading's own uncertainty) and spikes (an impossible speed), with a pause;
 *  - GisplanGeo.simplify(points, metres): Douglas–Peucker in a local metric frame;
 *  - GisplanGeo.length(points): metres along a track.
 */
(function (root) {
  "use strict";
  var R = 6371008.8;
  function rad(d) { return d * Math.PI / 180; }

  function distance(a, b) {
    var dLat = rad(b.lat - a.lat), dLon = rad(b.lon - a.lon);
    var h = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  function length(points) {
    var total = 0;
    for (var i = 1; i < points.length; i++) total += distance(points[i - 1], points[i]);
    return total;
  }

  function PositionAverager(options) {
    this.good = options.goodAccuracy;
    this.max = options.maxAccuracy;
    this.minSamples = options.minSamples || 3;
    this.readings = [];
  }
  /* Returns {status: "refused" | "waiting" | "done", accuracy, result?}. */
  PositionAverager.prototype.add = function (lat, lon, accuracy) {
    if (!(accuracy <= this.max)) return { status: "refused", accuracy: accuracy };
    this.readings.push({ lat: lat, lon: lon, accuracy: accuracy });
    var good = this.readings.filter(function (r) { return r.accuracy <= this.good; }, this);
    var use = good.length ? good : this.readings;
    var result = this.mean(use);
    var done = good.length >= this.minSamples;
    return { status: done ? "done" : "waiting", accuracy: accuracy, result: result, goodCount: good.length };
  };
  PositionAverager.prototype.mean = function (readings) {
    var w = 0, lat = 0, lon = 0, best = Infinity;
    readings.forEach(function (r) {
      var k = 1 / Math.max(r.accuracy, 0.5) / Math.max(r.accuracy, 0.5);
      w += k; lat += r.lat * k; lon += r.lon * k; best = Math.min(best, r.accuracy);
    });
    // the accuracy of a weighted mean of independent readings
    return { lat: lat / w, lon: lon / w, accuracy: Math.max(1 / Math.sqrt(w), 0.5), best: best, count: readings.length };
  };

  function TrackRecorder(options) {
    this.max = options.maxAccuracy;
    this.minStep = options.minStep || 3; // metres: closer readings are jitter
    this.maxSpeed = options.maxSpeed || 45; // m/s: faster is a spike (160 km/h)
    this.points = [];
    this.paused = false;
    this.refused = 0;
  }
  /* Returns "kept", "paused", "inaccurate", "jitter" or "spike". */
  TrackRecorder.prototype.add = function (lat, lon, accuracy, time) {
    if (this.paused) return "paused";
    if (!(accuracy <= this.max)) { this.refused++; return "inaccurate"; }
    var p = { lat: lat, lon: lon, accuracy: accuracy, time: time || Date.now() };
    var last = this.points[this.points.length - 1];
    if (last) {
      var d = distance(last, p);
      if (d < Math.max(this.minStep, Math.min(accuracy, last.accuracy) / 2)) return "jitter";
      var dt = (p.time - last.time) / 1000;
      if (dt > 0 && d / dt > this.maxSpeed) { this.refused++; return "spike"; }
    }
    this.points.push(p);
    return "kept";
  };
  TrackRecorder.prototype.length = function () { return length(this.points); };

  function simplify(points, tolerance) {
    if (points.length < 3) return points.slice();
    var lat0 = rad(points[0].lat);
    var xy = points.map(function (p) {
      return [rad(p.lon) * R * Math.cos(lat0), rad(p.lat) * R];
    });
    var keep = new Array(points.length);
    keep[0] = keep[points.length - 1] = true;
    var stack = [[0, points.length - 1]];
    while (stack.length) {
      var seg = stack.pop(), a = seg[0], b = seg[1], worst = -1, index = -1;
      for (var i = a + 1; i < b; i++) {
        var d = segmentDistance(xy[i], xy[a], xy[b]);
        if (d > worst) { worst = d; index = i; }
      }
      if (worst > tolerance) {
        keep[index] = true;
        stack.push([a, index], [index, b]);
      }
    }
    return points.filter(function (_, i) { return keep[i]; });
  }

  function segmentDistance(p, a, b) {
    var dx = b[0] - a[0], dy = b[1] - a[1];
    var t = dx || dy ? ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy) : 0;
    t = Math.max(0, Math.min(1, t));
    var x = a[0] + t * dx - p[0], y = a[1] + t * dy - p[1];
    return Math.sqrt(x * x + y * y);
  }

  root.GisplanGeo = {
    distance: distance,
    length: length,
    simplify: simplify,
    PositionAverager: PositionAverager,
    TrackRecorder: TrackRecorder,
  };
})(typeof self !== "undefined" ? self : this);
