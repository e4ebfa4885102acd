/* The page side of the phone's queue of records (record-queue-core.js keeps it; photo-shrink.js shrinks).
 *
 * On a record form (form[data-record-queue]):
 * - before it is sent, its photos are shrunk on the phone and put back into the file input, then the
 *   form is submitted again as it is: htmx sends it (or the browser, for a form without htmx);
 * - an htmx send shows an upload progress bar ("Uploading N%");
 * - with no network (navigator.onLine false), or when the send fails at the network level, the
 *   record is kept in the queue and the form says so; the top bar counts what is kept;
 * - what is typed is kept as a draft (not the files) and put back after a reload; cleared when the
 *   record is sent or queued.
 * The queue is sent on each page load, when the network comes back, and by Background Sync
 * (service worker, tag `tracker-record-queue`) where the browser has it. /my/queue lists it.
 * Every word shown comes from data-msg-* attributes rendered (and translated) by the server.
 */
(function () {
  "use strict";

  var Queue = self.TrackerQueue;
  var Photos = self.TrackerPhotos;
  var FIX_KEY = "tracker-queue-fix";
  var SENT_KEY = "tracker-draft-sent";
  var SKIPPED = { _csrf_token: true, client_key: true, photos: true };
  if (!Queue) return;

  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : all;
    });
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["x-csrftoken"] || "";
    } catch (ignored) {
      return "";
    }
  }

  function signedIn() {
    return !!document.querySelector("[data-queue-count]");
  }

  // -- the top bar's count --------------------------------------------------------------------

  function showCount() {
    var link = document.querySelector("[data-queue-count]");
    if (!link) return Promise.resolve();
    return Queue.count().then(function (n) {
      link.hidden = n === 0;
      link.querySelector("[data-queue-count-text]").textContent = fill(link.dataset.msgCount, { n: n });
      link.setAttribute("title", fill(link.dataset.msgLabel, { n: n }));  // the name stays the visible text (WCAG 2.5.3)
    }, function () { link.hidden = true; });
  }

  // -- sending --------------------------------------------------------------------------------

  var sending = null;

  function sendQueue() {
    if (!signedIn() || navigator.onLine === false) return Promise.resolve(null);
    if (sending) return sending;
    sending = Queue.sendAll(function () { showCount(); renderList(); }, { csrf: csrfToken(), retrySignedOut: true })
      .catch(function () { return null; })
      .then(function (summary) { sending = null; showCount(); renderList(); return summary; });
    return sending;
  }

  function registerSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.getRegistration().then(function (registration) {
      if (registration && registration.sync) return registration.sync.register(Queue.SYNC_TAG);
      return null;
    }).catch(function () { /* no Background Sync: sent on `online` and on the next visit */ });
  }

  // -- a form's values ------------------------------------------------------------------------

  function pairsOf(form) {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (!SKIPPED[name] && typeof value === "string") pairs.push([name, value]);
    });
    return pairs;
  }

  function putBack(form, pairs) {
    var byName = {};
    pairs.forEach(function (pair) { (byName[pair[0]] = byName[pair[0]] || []).push(pair[1]); });
    Object.keys(byName).forEach(function (name) {
      if (SKIPPED[name]) return;
      var inputs = form.querySelectorAll('[name="' + name.replace(/"/g, "") + '"]');
      Array.prototype.forEach.call(inputs, function (input) {
        if (input.type === "checkbox" || input.type === "radio") {
          input.checked = byName[name].indexOf(input.value) >= 0;
        } else if (input.multiple && input.options) {
          Array.prototype.forEach.call(input.options, function (o) { o.selected = byName[name].indexOf(o.value) >= 0; });
        } else if (input.type !== "file") {
          input.value = byName[name][0];
        }
      });
    });
    var located = form.querySelector("[data-location-status]");
    var latitude = form.querySelector("[data-location-latitude]");
    if (located && latitude && latitude.value && !located.textContent) located.textContent = "✓";
  }

  function labelsOf(form) {
    var labels = {};
    Array.prototype.forEach.call(form.querySelectorAll(".field"), function (field) {
      var input = field.querySelector("input:not([type=hidden]), select, textarea") || field.querySelector("input");
      var label = field.querySelector("label, .field-label, legend");
      if (!input || !label) return;
      var name = field.classList.contains("location") ? "location" : input.name.replace(/^f_/, "");
      labels[name] = label.textContent.trim();
    });
    return labels;
  }

  function photoInput(form) {
    return form.querySelector('input[type=file][name="photos"]');
  }

  function setFiles(input, files) {
    if (!input || typeof DataTransfer !== "function") return;
    var transfer = new DataTransfer();
    files.forEach(function (file) { transfer.items.add(file); });
    input.files = transfer.files;
  }

  function say(form, text, link) {
    var status = form.querySelector("[data-queue-status]");
    if (!status) return;
    status.textContent = text;
    if (link) {
      status.appendChild(document.createTextNode(" "));
      var a = document.createElement("a");
      a.href = document.querySelector("[data-queue-count]") ? document.querySelector("[data-queue-count]").getAttribute("href") : "/my/queue";
      a.textContent = form.dataset.msgQueueLink;
      status.appendChild(a);
    }
    status.hidden = !text;
  }

  function newClientKey() {
    var bytes = new Uint8Array(18);
    crypto.getRandomValues(bytes);
    return btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // -- keeping a record on the phone ----------------------------------------------------------

  function keep(form) {
    var input = photoInput(form);
    var files = input && input.files ? Array.prototype.slice.call(input.files) : [];
    var keyInput = form.querySelector('input[name="client_key"]');
    var record = {
      client_key: keyInput.value,
      action: form.getAttribute("action"),
      fields: pairsOf(form),
      photos: files.map(function (file) { return { name: file.name, blob: file }; }),
      csrf: csrfToken(),
      title: form.dataset.queueTitle || "",
      task_url: form.dataset.taskUrl || "",
      unplanned_action: form.dataset.unplannedAction || "",
      labels: labelsOf(form),
      queued_at: Date.now(),
    };
    return Queue.put(record).then(function () {
      var action = form.getAttribute("action");
      Queue.removeDraft(action).catch(function () {});
      if (form.dataset.fixKey && form.dataset.fixKey !== record.client_key) Queue.remove(form.dataset.fixKey);
      delete form.dataset.fixKey;
      form.reset();
      setFiles(input, []);
      keyInput.value = newClientKey();  // the next record is a new one
      form.dataset.photosReady = "";
      say(form, form.dataset.msgQueued, true);
      showCount();
      registerSync();
    }, function (error) {
      // QuotaExceededError (or any storage failure): this record is not kept, nothing kept before is touched.
      say(form, form.dataset.msgStorageFull + (error && error.name && error.name !== "QuotaExceededError" ? " (" + error.name + ")" : ""));
    });
  }

  // -- submitting: shrink the photos, then queue or let it go ---------------------------------

  function prepare(form, submitter) {
    var input = photoInput(form);
    var stamp = form.hasAttribute("data-photo-stamp") ? { form: form, text: form.dataset.photoStamp || "" } : null;
    say(form, form.dataset.msgPreparing);
    return Photos.shrinkAll(input.files, { stamp: stamp }).then(function (result) {
      setFiles(input, result.files);
      form.dataset.photosReady = "1";
      if (result.failed.length) {
        say(form, fill(form.dataset.msgUndecodable, { names: result.failed.join("、") }));
        return;
      }
      say(form, "");
      if (typeof form.requestSubmit === "function") form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
      else form.submit();
    }, function () {
      form.dataset.photosReady = "1";  // send them as they are: the server checks them
      say(form, "");
      form.requestSubmit();
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-record-queue")) return;
    var input = photoInput(form);
    var hasFiles = input && input.files && input.files.length > 0;
    if (hasFiles && form.dataset.photosReady !== "1" && Photos) {
      event.preventDefault();
      event.stopPropagation();
      prepare(form, event.submitter);
      return;
    }
    if (navigator.onLine === false) {
      event.preventDefault();
      event.stopPropagation();
      keep(form);
      return;
    }
    try { sessionStorage.setItem(SENT_KEY, form.getAttribute("action")); } catch (ignored) { /* private mode */ }
  }, true);

  // Signing out forgets what the phone keeps (the service worker clears the queue): not without asking
  // while records are still waiting to be sent.
  var signingOut = false;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var link = document.querySelector("[data-queue-count]");
    if (signingOut || !link || !(form instanceof HTMLFormElement) || !/\/logout$/.test(form.getAttribute("action") || "")) return;
    event.preventDefault();
    event.stopPropagation();
    Queue.count().catch(function () { return 0; }).then(function (n) {
      if (n > 0 && !window.confirm(fill(link.dataset.msgSignOut, { n: n }))) return;
      signingOut = true;
      form.submit();
    });
  }, true);

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input && input.type === "file" && input.form && input.form.hasAttribute("data-record-queue")) {
      input.form.dataset.photosReady = "";
    }
  });

  // -- htmx: progress, network failure, success -----------------------------------------------

  function progressOf(form) {
    return form.querySelector("[data-upload-progress]");
  }

  document.addEventListener("htmx:beforeSend", function (event) {
    var form = event.detail.elt;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-record-queue")) return;
    var box = progressOf(form);
    if (!box) return;
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-upload-progress-text]");
    var show = function (percent) {
      bar.value = percent;
      text.textContent = fill(form.dataset.msgProgress, { n: percent });
    };
    box.hidden = false;
    show(0);
    event.detail.xhr.upload.addEventListener("progress", function (progress) {
      if (progress.lengthComputable && progress.total > 0) show(Math.floor((progress.loaded / progress.total) * 100));
    });
  });

  function sendFailed(event) {
    var form = event.detail.elt;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-record-queue")) return;
    var box = progressOf(form);
    if (box) box.hidden = true;
    keep(form);
  }
  document.addEventListener("htmx:sendError", sendFailed);
  document.addEventListener("htmx:timeout", sendFailed);

  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var form = event.detail.elt;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-record-queue")) return;
    var box = progressOf(form);
    if (box) box.hidden = true;
    var status = event.detail.xhr.status;
    if (status >= 200 && status < 300) {
      Queue.removeDraft(form.getAttribute("action")).catch(function () {});
      if (form.dataset.fixKey) Queue.remove(form.dataset.fixKey).then(showCount);
    }
  });

  // -- drafts ---------------------------------------------------------------------------------

  var timers = {};
  document.addEventListener("input", function (event) {
    var form = event.target && event.target.form;
    if (!form || !form.hasAttribute("data-record-queue") || event.target.type === "file") return;
    var action = form.getAttribute("action");
    clearTimeout(timers[action]);
    timers[action] = setTimeout(function () { Queue.saveDraft(action, pairsOf(form)).catch(function () {}); }, 300);
  });

  function restoreDrafts() {
    var sent = null;
    try { sent = sessionStorage.getItem(SENT_KEY); sessionStorage.removeItem(SENT_KEY); } catch (ignored) { /* private mode */ }
    var forms = document.querySelectorAll("form[data-record-queue]");
    // A plain post (no htmx) that went through lands on the page that says so (?saved=1, ?recorded=1);
    // anywhere else (refused, or no network: an error page, then back) the draft is kept.
    if (sent && /[?&](saved|recorded)=1(&|$)/.test(location.search)) Queue.removeDraft(sent).catch(function () {});
    Array.prototype.forEach.call(forms, function (form) {
      if (form.querySelector(".has-error, [role=alert]") || form.dataset.fixKey) return;  // the server's copy is newer
      var action = form.getAttribute("action");
      if (action === sent) return;
      Queue.getDraft(action).then(function (draft) {
        if (!draft || !draft.fields || !draft.fields.length || form.dataset.fixKey) return;
        putBack(form, draft.fields);
        say(form, form.dataset.msgDraft);
      }).catch(function () {});
    });
  }

  // -- correcting a refused record: the task's form filled with it ----------------------------

  function restoreFix() {
    var key = null;
    try { key = sessionStorage.getItem(FIX_KEY); } catch (ignored) { return Promise.resolve(); }
    if (!key) return Promise.resolve();
    return Queue.get(key).then(function (record) {
      if (!record) return;
      var form = document.querySelector('form[data-record-queue][action="' + record.action.replace(/"/g, "") + '"]');
      if (!form) return;
      sessionStorage.removeItem(FIX_KEY);
      putBack(form, record.fields);
      form.querySelector('input[name="client_key"]').value = record.client_key;
      setFiles(photoInput(form), (record.photos || []).map(function (p) {
        return new File([p.blob], p.name, { type: p.blob.type || "image/jpeg" });
      }));
      form.dataset.photosReady = "1";
      form.dataset.fixKey = record.client_key;
      say(form, form.dataset.msgFixing);
    }).catch(function () {});
  }

  // -- the list at /my/queue ------------------------------------------------------------------

  function button(text, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-small";
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  function whenQueued(ms) {
    try {
      return new Date(ms).toLocaleString(document.documentElement.lang || undefined, { dateStyle: "short", timeStyle: "short" });
    } catch (ignored) {
      return new Date(ms).toLocaleString();
    }
  }

  function item(section, record) {
    var msg = section.dataset;
    var li = document.createElement("li");
    li.className = "queue-item queue-" + record.state;
    li.id = "queued-" + record.client_key;
    var title = document.createElement("p");
    title.className = "queue-title";
    title.textContent = record.title;
    li.appendChild(title);
    var meta = document.createElement("p");
    meta.className = "meta";
    var parts = [fill(msg.msgQueuedAt, { time: whenQueued(record.queued_at) })];
    if (record.photos && record.photos.length) parts.push(fill(msg.msgPhotos, { n: record.photos.length }));
    meta.textContent = parts.join(" · ");
    li.appendChild(meta);
    var state = document.createElement("p");
    state.className = "queue-state";
    state.textContent = { waiting: msg.msgWaiting, sending: msg.msgSending, refused: msg.msgRefused }[record.state] || "";
    li.appendChild(state);
    if (record.state === "refused") {
      var reason = document.createElement("div");
      reason.className = "alert alert-error";
      reason.setAttribute("role", "alert");
      var top = document.createElement("p");
      top.textContent = record.reason === "signed_out" ? msg.msgSignedOut : (record.message || msg.msgRefusedGeneric);
      reason.appendChild(top);
      var problems = Object.keys(record.problems || {}).filter(function (name) {
        return record.problems[name] && record.problems[name] !== record.message;
      });
      if (problems.length) {
        var ul = document.createElement("ul");
        problems.forEach(function (name) {
          var entry = document.createElement("li");
          var label = (record.labels || {})[name];
          entry.textContent = (label ? label + "：" : "") + record.problems[name];
          ul.appendChild(entry);
        });
        reason.appendChild(ul);
      }
      li.appendChild(reason);
      var actions = document.createElement("p");
      actions.className = "queue-actions";
      var fixUrl = record.task_url || (record.unplanned_action ? record.unplanned_action + "/new?kind=" + kindOf(record) : "");
      // The task was closed, reassigned or is no longer this person's: it may be kept as work without a task.
      var taskGone = !!(record.problems && record.problems.task_id) || [403, 404, 409].indexOf(record.status) >= 0;
      if (fixUrl && record.reason === "refused" && !taskGone) {
        actions.appendChild(button(msg.msgFix, function () {
          try { sessionStorage.setItem(FIX_KEY, record.client_key); } catch (ignored) { /* private mode */ }
          location.href = fixUrl;
        }));
      }
      actions.appendChild(button(msg.msgRetry, function () {
        Queue.update(record.client_key, { state: "waiting", reason: "", message: "" }).then(sendQueue);
      }));
      if (record.task_url && record.unplanned_action && record.reason === "refused" && taskGone) {
        actions.appendChild(button(msg.msgUnplanned, function () {
          Queue.update(record.client_key, {
            state: "waiting", reason: "", message: "", problems: {}, action: record.unplanned_action, task_url: "",
          }).then(sendQueue);
        }));
      }
      actions.appendChild(button(msg.msgDiscard, function () {
        if (window.confirm(msg.msgConfirmDiscard)) Queue.remove(record.client_key).then(function () { renderList(); showCount(); });
      }));
      li.appendChild(actions);
    }
    return li;
  }

  function kindOf(record) {
    var pair = (record.fields || []).filter(function (p) { return p[0] === "kind"; })[0];
    return pair ? encodeURIComponent(pair[1]) : "";
  }

  function renderList() {
    var section = document.querySelector("[data-record-queue-list]");
    if (!section) return Promise.resolve();
    return Queue.list().then(function (records) {
      var list = section.querySelector("[data-queue-items]");
      list.textContent = "";
      records.forEach(function (record) { list.appendChild(item(section, record)); });
      list.hidden = records.length === 0;
      section.querySelector("[data-queue-empty]").hidden = records.length > 0;
      var waiting = records.some(function (r) { return r.state !== "refused"; });
      section.querySelector("[data-queue-send-now]").hidden = !waiting;
      section.querySelector("[data-queue-note]").textContent = waiting && navigator.onLine === false ? section.dataset.msgOffline : "";
    });
  }

  function setUpList() {
    var section = document.querySelector("[data-record-queue-list]");
    if (!section) return;
    section.querySelector("[data-queue-send-now]").addEventListener("click", sendQueue);
    renderList();
  }

  // -- start ----------------------------------------------------------------------------------

  function start() {
    if (typeof BroadcastChannel === "function") {
      new BroadcastChannel(Queue.CHANNEL).onmessage = function () { showCount(); renderList(); };
    }
    window.addEventListener("online", sendQueue);
    window.addEventListener("offline", renderList);
    setUpList();
    restoreFix().then(restoreDrafts);
    showCount().then(sendQueue);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
