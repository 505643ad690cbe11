/* gisplan field capture: the device's queue (IndexedDB "gisplan-field").
 * Stores: "queue" (captures and photos waiting to be sent, keyed by their idempotency key, in the
 * order they were made), "done" (the server's answer per key: a photo of a project captured
 * offline finds the project's id there) and "offline" (the LAO's area and projects, for a page
 * opened with no signal).
 */
(function (root) {
  "use strict";
  var DB = "gisplan-field", VERSION = 1, opened = null;

  function open() {
    if (opened) return opened;
    opened = new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains("queue")) db.createObjectStore("queue", { keyPath: "key" });
        if (!db.objectStoreNames.contains("done")) db.createObjectStore("done", { keyPath: "key" });
        if (!db.objectStoreNames.contains("offline")) db.createObjectStore("offline", { keyPath: "lao" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
    return opened;
  }

  function run(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode), result;
        var os = tx.objectStore(store);
        var request = work(os);
        if (request) request.onsuccess = function () { result = request.result; };
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function newKey(prefix) {
    var bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return prefix + "-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  root.GisplanQueue = {
    newKey: newKey,
    put: function (item) {
      item.created = item.created || Date.now();
      return run("queue", "readwrite", function (os) { return os.put(item); });
    },
    remove: function (key) { return run("queue", "readwrite", function (os) { return os.delete(key); }); },
    all: function () {
      return run("queue", "readonly", function (os) { return os.getAll(); }).then(function (items) {
        return (items || []).sort(function (a, b) { return a.created - b.created; });
      });
    },
    done: function (key, answer) {
      return run("done", "readwrite", function (os) { return os.put({ key: key, answer: answer, at: Date.now() }); });
    },
    answer: function (key) {
      return run("done", "readonly", function (os) { return os.get(key); }).then(function (row) { return row && row.answer; });
    },
    saveOffline: function (data) { return run("offline", "readwrite", function (os) { return os.put(data); }); },
    loadOffline: function (lao) { return run("offline", "readonly", function (os) { return os.get(lao); }); },
  };
})(typeof self !== "undefined" ? self : this);
