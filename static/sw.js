/*
 * The service worker: served as /sw.js (web/app_shell.py fills in the three values below), scope "/".
 *
 * - The app shell (styles, scripts, icons: their hashed URLs, immutable) and the offline page are kept
 *   at install; /static/ answers come from the phone first.
 * - 我的任务 (/my) and task pages (/tasks/<id>), and htmx GETs of them (kept apart, by their target):
 *   from the network first, kept on the phone, shown from there when the network fails; a whole page
 *   marked with <meta name="served-from" content="cache"> so that the page (js/sw-register.js) shows
 *   when it was fetched. Each time /my is fetched, the task pages it
 *   links are fetched and kept too (and task pages it no longer links are dropped).
 * - Another page with no network: the offline page.
 * - Sign-out forgets the kept pages and the record queue (the server's Clear-Site-Data on sign-out does
 *   the same); sign-in, and a kept page that sends us to sign in, forget the kept pages.
 * - Background Sync `tracker-record-queue`: the record queue (js/record-queue-core.js) is sent.
 */
"use strict";

var VERSION = "__VERSION__"; // changes with any static file: a changed byte is what makes the phone update the worker
var SHELL = ["__SHELL__"];
var QUEUE_SCRIPT = "__QUEUE_SCRIPT__";
var OFFLINE_URL = "/offline";
var STATIC_CACHE = "tracker-static";
var PAGES_CACHE = "tracker-pages";
var SYNC_TAG = "tracker-record-queue";
var MAX_LINKED_TASKS = 40;
var TASK_PAGE = /^\/tasks\/\d+$/;
var QUEUE_PAGE = "/my/queue";
var TASK_LINK = /href="(\/tasks\/\d+)"/g;

if (QUEUE_SCRIPT) {
  try {
    importScripts(QUEUE_SCRIPT);
  } catch (error) {
    // no queue on this server (yet): records are then only sent from the page
  }
}

function isKeptPage(url) {
  return url.pathname === "/my" || url.pathname === QUEUE_PAGE || TASK_PAGE.test(url.pathname);
}

function forgetWhatIsKept() {
  var queue = self.TrackerQueue && typeof self.TrackerQueue.clear === "function"
    ? Promise.resolve().then(function () { return self.TrackerQueue.clear(); }).catch(function () {})
    : Promise.resolve();
  return Promise.all([caches.delete(PAGES_CACHE), queue]);
}

function keepPage(path, response) {
  return caches.open(PAGES_CACHE).then(function (cache) { return cache.put(path, response); });
}

// The task pages /my links to: fetched two at a time and kept; the ones it no longer links dropped.
function keepLinkedTasks(html) {
  var paths = [];
  var match;
  TASK_LINK.lastIndex = 0;
  while ((match = TASK_LINK.exec(html)) !== null && paths.length < MAX_LINKED_TASKS) {
    if (paths.indexOf(match[1]) < 0) paths.push(match[1]);
  }
  return caches.open(PAGES_CACHE).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(requests.map(function (request) {
        var path = new URL(request.url).pathname; // an htmx part of a task page goes with its page
        return TASK_PAGE.test(path) && paths.indexOf(path) < 0 ? cache.delete(request) : null;
      }));
    }).then(function () {
      var next = 0;
      function worker() {
        if (next >= paths.length) return Promise.resolve();
        var path = paths[next++];
        return fetch(path, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
          if (response.ok && response.type === "basic") return cache.put(path, response);
          return null;
        }, function () { return null; }).then(worker);
      }
      return Promise.all([worker(), worker()]);
    });
  });
}

// Fetch /my (when signed in) and what it links: once installed, so a phone reads offline from the start.
function refreshMyWork() {
  return fetch("/my", { credentials: "same-origin", redirect: "manual" }).then(function (response) {
    if (!response.ok || response.type !== "basic") return null;
    return keepPage("/my", response.clone()).then(function () {
      return response.text();
    }).then(keepLinkedTasks).then(keepQueuePage);
  }).catch(function () { return null; });
}

// The page of records waiting on this phone (filled in from IndexedDB by its script): kept with /my,
// so a record refused while offline can still be read, fixed or discarded with no network.
function keepQueuePage() {
  return fetch(QUEUE_PAGE, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
    return response.ok && response.type === "basic" ? keepPage(QUEUE_PAGE, response) : null;
  }).catch(function () { return null; });
}

function fromCacheMarked(cached) {
  return cached.text().then(function (html) {
    var headers = new Headers(cached.headers);
    headers.delete("content-length");
    headers.delete("content-encoding");
    var marked = html.replace(/<head>/i, '<head><meta name="served-from" content="cache">');
    return new Response(marked, { status: cached.status, statusText: cached.statusText, headers: headers });
  });
}

function offlinePage() {
  return caches.match(OFFLINE_URL).then(function (page) {
    return page || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
  });
}

// An htmx GET of a kept page is kept apart from the page (its answer may be a part of it), by its target.
function keyOf(request, url) {
  var target = request.headers.get("HX-Request") ? request.headers.get("HX-Target") || "" : null;
  return target === null ? url.pathname : url.pathname + "?hx-target=" + encodeURIComponent(target);
}

function networkFirst(event, url) {
  var request = event.request;
  var key = keyOf(request, url);
  var whole = key === url.pathname;
  return fetch(request).then(function (response) {
    if (response.type === "opaqueredirect" || response.redirected) {
      event.waitUntil(caches.delete(PAGES_CACHE)); // signed out (or sent elsewhere): keep nothing
    } else if (response.ok && response.type === "basic" && !url.search) {
      var copy = response.clone();
      event.waitUntil(keepPage(key, copy.clone()).then(function () {
        return whole && url.pathname === "/my" ? copy.text().then(keepLinkedTasks).then(keepQueuePage) : null;
      }));
    }
    return response;
  }, function () {
    return caches.open(PAGES_CACHE).then(function (cache) {
      return cache.match(key, { ignoreVary: true });
    }).then(function (cached) {
      if (cached) return whole ? fromCacheMarked(cached) : cached;
      return request.mode === "navigate" ? offlinePage() : Response.error();
    });
  });
}

function cacheFirst(request, url) {
  return caches.open(STATIC_CACHE).then(function (cache) {
    return cache.match(request, { ignoreVary: true }).then(function (hit) {
      if (hit) return hit;
      return fetch(request).then(function (response) {
        if (response.ok && url.searchParams.has("v")) cache.put(request, response.clone());
        return response;
      }, function () {
        // a kept page may name an older version of a file: the one we have is better than none
        return cache.match(request, { ignoreSearch: true, ignoreVary: true }).then(function (other) {
          return other || Response.error();
        });
      });
    });
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC_CACHE)
      .then(function (cache) { return cache.addAll(SHELL); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.open(STATIC_CACHE).then(function (cache) {
      return cache.keys().then(function (requests) {
        return Promise.all(requests.map(function (request) {
          var url = new URL(request.url);
          return SHELL.indexOf(url.pathname + url.search) < 0 ? cache.delete(request) : null;
        }));
      });
    })
      .then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && (url.pathname === "/logout" || url.pathname === "/login")) {
    // whoever comes next on this phone reads nothing of the last person's. Signing in again after a
    // session ran out keeps the queue (records typed meanwhile are still to be sent); signing out does not.
    var forget = url.pathname === "/logout" ? forgetWhatIsKept : function () { return caches.delete(PAGES_CACHE); };
    event.respondWith(fetch(request).then(function (response) {
      return forget().then(function () { return response; });
    }, function (error) {
      return forget().then(function () { throw error; });
    }));
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(cacheFirst(request, url));
  } else if (isKeptPage(url)) {
    event.respondWith(networkFirst(event, url));
  } else if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(offlinePage));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag === SYNC_TAG && self.TrackerQueue && typeof self.TrackerQueue.sendAll === "function") {
    event.waitUntil(self.TrackerQueue.sendAll());
  }
});

// A page this worker did not serve (the first one after installing) asks for 我的任务 to be kept now:
// here rather than in `activate`, where page loads would wait for it.
self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "keep-my-work") event.waitUntil(refreshMyWork());
});
