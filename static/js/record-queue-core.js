/* The queue of records kept on this phone until they can be sent, and the drafts of record forms.
 *
 * Works in a window and in the service worker (no DOM, no `window`: `self` only). The worker runs
 * `importScripts('/static/js/record-queue-core.js')` and, on a Background Sync event with tag
 * `tracker-record-queue`, `event.waitUntil(self.TrackerQueue.sendAll())`; on sign-out it calls
 * `self.TrackerQueue.clear()`.
 *
 * IndexedDB database `tracker`:
 *   store `records` (key `client_key`): {client_key, action (the form's URL), fields ([name, value]
 *     pairs, as the form posts them: the kind's fields, date, place, location, kind), photos
 *     ([{name, blob}], already shrunk), csrf, title (shown in the list), task_url, unplanned_action
 *     (where it may be filed as work without a task), labels ({field name: label}), queued_at (ms),
 *     state: "waiting" | "sending" | "refused", message (the server's), problems ({field: message}),
 *     reason ("" | "signed_out" | "refused"), status (the refusing answer's HTTP status)}
 *   store `drafts` (key `action`): {action, fields, saved_at}: what was typed into a form, not files.
 *
 * sendAll posts each waiting record, oldest first, one at a time, as multipart form data with the
 * form's own field names to the form's own URL, asking for JSON (the record routes answer JSON when
 * asked: src/tracker/domain/work/record_answers.py). 2xx: removed. 4xx: kept as "refused" with the
 * server's message. No network, 5xx or 429: stays "waiting" (a network failure stops the round). A
 * record sent twice is harmless: the server answers its client key's first result again.
 */
(function (scope) {
  "use strict";

  var DB_NAME = "tracker";
  var DB_VERSION = 1;
  var RECORDS = "records";
  var DRAFTS = "drafts";
  var SYNC_TAG = "tracker-record-queue";
  var CHANNEL = "tracker-record-queue";
  var LOCK = "tracker-record-queue-send";
  var opening = null;

  function open() {
    if (opening) return opening;
    opening = new Promise(function (resolve, reject) {
      var request = scope.indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains(RECORDS)) db.createObjectStore(RECORDS, { keyPath: "client_key" });
        if (!db.objectStoreNames.contains(DRAFTS)) db.createObjectStore(DRAFTS, { keyPath: "action" });
      };
      request.onsuccess = function () {
        var db = request.result;
        db.onversionchange = function () { db.close(); opening = null; };
        resolve(db);
      };
      request.onerror = function () { opening = null; reject(request.error); };
      request.onblocked = function () { opening = null; reject(new Error("IndexedDB blocked")); };
    });
    return opening;
  }

  /* Runs `body(store)` in one transaction; resolves with what `body` set as the result once it commits,
     rejects with the transaction's error (a QuotaExceededError keeps its name). */
  function transact(storeName, mode, body) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(storeName, mode);
        var box = { result: undefined };
        tx.oncomplete = function () { resolve(box.result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error || new DOMException("aborted", "AbortError")); };
        try {
          body(tx.objectStore(storeName), box);
        } catch (error) {
          try { tx.abort(); } catch (ignored) { /* already finished */ }
          reject(error);
        }
      });
    });
  }

  function changed() {
    if (typeof scope.BroadcastChannel !== "function") return;
    try {
      var channel = new scope.BroadcastChannel(CHANNEL);
      channel.postMessage({ type: "changed" });
      channel.close();
    } catch (ignored) { /* nobody listening */ }
  }

  function put(record) {
    var copy = Object.assign({ state: "waiting", message: "", problems: {}, reason: "", queued_at: Date.now() }, record);
    return transact(RECORDS, "readwrite", function (store) { store.put(copy); }).then(function () {
      changed();
      return copy;
    });
  }

  function get(key) {
    return transact(RECORDS, "readonly", function (store, box) {
      var request = store.get(key);
      request.onsuccess = function () { box.result = request.result; };
    });
  }

  function list() {
    return transact(RECORDS, "readonly", function (store, box) {
      var request = store.getAll();
      request.onsuccess = function () { box.result = request.result; };
    }).then(function (records) {
      return (records || []).sort(function (a, b) { return a.queued_at - b.queued_at; });
    });
  }

  function count(state) {
    return list().then(function (records) {
      return records.filter(function (r) { return !state || r.state === state; }).length;
    });
  }

  function update(key, changes) {
    return transact(RECORDS, "readwrite", function (store) {
      var request = store.get(key);
      request.onsuccess = function () {
        if (request.result) store.put(Object.assign(request.result, changes));
      };
    }).then(changed);
  }

  function remove(key) {
    return transact(RECORDS, "readwrite", function (store) { store.delete(key); }).then(changed);
  }

  function clear() {
    return Promise.all([
      transact(RECORDS, "readwrite", function (store) { store.clear(); }),
      transact(DRAFTS, "readwrite", function (store) { store.clear(); }),
    ]).then(changed);
  }

  function saveDraft(action, fields) {
    return transact(DRAFTS, "readwrite", function (store) {
      store.put({ action: action, fields: fields, saved_at: Date.now() });
    });
  }

  function getDraft(action) {
    return transact(DRAFTS, "readonly", function (store, box) {
      var request = store.get(action);
      request.onsuccess = function () { box.result = request.result; };
    });
  }

  function removeDraft(action) {
    return transact(DRAFTS, "readwrite", function (store) { store.delete(action); });
  }

  function body(record) {
    var data = new FormData();
    data.append("client_key", record.client_key);  // what makes a second send of it harmless
    (record.fields || []).forEach(function (pair) { data.append(pair[0], pair[1]); });
    (record.photos || []).forEach(function (photo) { data.append("photos", photo.blob, photo.name); });
    return data;
  }

  /* One POST; resolves {status, json, login} (status 0: no network). Upload progress through XHR where
     there is one (a window), fetch in the worker. */
  function post(record, csrf, onUpload) {
    var headers = { Accept: "application/json", "x-csrftoken": csrf || "" };
    if (typeof scope.XMLHttpRequest === "function") {
      return new Promise(function (resolve) {
        var xhr = new scope.XMLHttpRequest();
        xhr.open("POST", record.action, true);
        Object.keys(headers).forEach(function (name) { xhr.setRequestHeader(name, headers[name]); });
        if (onUpload) {
          xhr.upload.onprogress = function (event) {
            if (event.lengthComputable) onUpload(event.loaded, event.total);
          };
        }
        xhr.onload = function () {
          var json = null;
          try { json = JSON.parse(xhr.responseText); } catch (ignored) { /* a page, not JSON */ }
          resolve({ status: xhr.status, json: json, login: /\/login(\?|$)/.test(xhr.responseURL || "") });
        };
        xhr.onerror = xhr.ontimeout = xhr.onabort = function () { resolve({ status: 0, json: null, login: false }); };
        xhr.send(body(record));
      });
    }
    return scope.fetch(record.action, {
      method: "POST", body: body(record), headers: headers, credentials: "same-origin", redirect: "manual",
    }).then(function (response) {
      if (response.type === "opaqueredirect") return { status: 303, json: null, login: true };
      return response.json().catch(function () { return null; }).then(function (json) {
        return { status: response.status, json: json, login: false };
      });
    }, function () {
      return { status: 0, json: null, login: false };
    });
  }

  /* What a record becomes after an answer: "sent", "refused" (with changes to store) or "waiting". */
  function outcome(answer) {
    var status = answer.status;
    if (answer.login || status === 401) {
      return { state: "refused", changes: { state: "refused", reason: "signed_out", status: status, message: (answer.json && answer.json.detail) || "", problems: {} } };
    }
    if (status >= 200 && status < 300) return { state: "sent" };
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      var json = answer.json || {};
      return { state: "refused", changes: { state: "refused", reason: "refused", status: status, message: json.detail || "", problems: json.fields || {} } };
    }
    return { state: "waiting", changes: { state: "waiting" } };
  }

  function withLock(work) {
    if (scope.navigator && scope.navigator.locks && typeof scope.navigator.locks.request === "function") {
      return scope.navigator.locks.request(LOCK, work);
    }
    return work();
  }

  /* Sends every waiting record in order. `onProgress({record, phase, loaded, total})` is told of each
     step (phase "start", "upload", "sent", "refused", "waiting"). Options: `csrf` (the page's current
     token, better than the one kept with the record, which a new sign-in replaces) and `retrySignedOut`
     (send again the records refused only because the user was signed out). Resolves with a summary. */
  function sendAll(onProgress, options) {
    options = options || {};
    var report = onProgress || function () {};
    var summary = { sent: 0, refused: 0, waiting: 0 };
    return withLock(function () {
      return list().then(function (records) {
        var due = records.filter(function (r) {
          return r.state === "waiting" || r.state === "sending" || (options.retrySignedOut && r.reason === "signed_out");
        });
        var stopped = false;
        return due.reduce(function (previous, record) {
          return previous.then(function () {
            if (stopped) { summary.waiting += 1; return null; }
            report({ record: record, phase: "start" });
            return update(record.client_key, { state: "sending" }).then(function () {
              return post(record, options.csrf || record.csrf, function (loaded, total) {
                report({ record: record, phase: "upload", loaded: loaded, total: total });
              });
            }).then(function (answer) {
              var result = outcome(answer);
              summary[result.state] += 1;
              if (answer.status === 0) stopped = true;
              report({ record: record, phase: result.state, status: answer.status });
              return result.state === "sent" ? remove(record.client_key) : update(record.client_key, result.changes);
            });
          });
        }, Promise.resolve());
      });
    }).then(function () { return summary; });
  }

  scope.TrackerQueue = {
    SYNC_TAG: SYNC_TAG,
    CHANNEL: CHANNEL,
    put: put,
    get: get,
    list: list,
    count: count,
    update: update,
    remove: remove,
    clear: clear,
    sendAll: sendAll,
    saveDraft: saveDraft,
    getDraft: getDraft,
    removeDraft: removeDraft,
  };
})(self);
