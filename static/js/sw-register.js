// Every page: registers the service worker (/sw.js, scope "/") and shows the "offline: fetched at …"
// banner (base.html's #offline-banner, its text filled in by the server) when the page came from the
// phone's copy (the worker marks it with <meta name="served-from" content="cache">) or the phone is
// offline.
//
// On a page of plain links (我的任务, base.html's scripts_after_load) it also loads the page's other
// scripts once the `load` event has fired, in order (data-after-load), then prefetches what the next
// tap needs (data-prefetch), marks <html data-scripts="ready"> when every script has run, and fills in
// the bell's unread count (data-bell), which htmx does on the other pages.
(function () {
  "use strict";

  var thisScript = document.currentScript;

  function urls(name) {
    var value = thisScript && thisScript.getAttribute(name);
    return value ? value.split(/\s+/).filter(Boolean) : [];
  }

  function scriptsReady() {
    document.documentElement.setAttribute("data-scripts", "ready");
    if (window.performance && performance.mark) performance.mark("tracker-scripts-ready");  // scripts/measure_phone.py
  }

  function loadAfterLoad(scripts, prefetch) {
    var waiting = scripts.length;
    function ran() {
      waiting -= 1;
      if (waiting > 0) return;
      scriptsReady();
      prefetch.forEach(function (url) {
        var link = document.createElement("link");
        link.rel = "prefetch";
        link.href = url;
        document.head.appendChild(link);
      });
    }
    if (!waiting) { ran(); return; }
    scripts.forEach(function (url) {
      var script = document.createElement("script");
      script.src = url;
      script.async = false;  // run in the given order, as deferred scripts would
      script.onload = ran;
      script.onerror = ran;  // a script that fails to arrive leaves the page as plain links
      document.head.appendChild(script);
    });
  }

  // 我的任务 runs without htmx (base.html): the bell's count is fetched here, as htmx would
  // (hx-get on load, then every 120 s), into the same link.
  function ringBell(url) {
    var bell = document.querySelector(".topbar-bell");
    if (!bell || !window.fetch) return;
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } }).then(function (answer) {
      return answer.ok ? answer.text() : null;
    }).then(function (html) {
      if (html !== null) bell.innerHTML = html;
    }).catch(function () {
      // offline: the bell stays as it was
    });
  }

  var bellUrl = thisScript && thisScript.getAttribute("data-bell");
  if (bellUrl) {
    var ring = function () { ringBell(bellUrl); setInterval(function () { ringBell(bellUrl); }, 120000); };
    if (document.readyState === "complete") ring();
    else window.addEventListener("load", ring);
  }

  var later = urls("data-after-load");
  var prefetch = urls("data-prefetch");
  if (thisScript && thisScript.hasAttribute("data-after-load")) {
    if (document.readyState === "complete") loadAfterLoad(later, prefetch);
    else window.addEventListener("load", function () { loadAfterLoad(later, prefetch); });
  } else if (document.readyState === "complete") {
    scriptsReady();
  } else {
    window.addEventListener("load", scriptsReady);
  }

  function fromCache() {
    return document.querySelector('meta[name="served-from"][content="cache"]') !== null;
  }

  function showBanner() {
    var banner = document.getElementById("offline-banner");
    if (banner) banner.hidden = !(fromCache() || navigator.onLine === false);
  }

  showBanner();
  window.addEventListener("online", showBanner);
  window.addEventListener("offline", showBanner);

  // Registered once the page has loaded: installing fetches the static files, which would otherwise
  // take the phone's connections from the page's own.
  function registerWorker() {
    var servedByWorker = Boolean(navigator.serviceWorker.controller);
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // the first page after installing came from the network: the worker keeps 我的任务 now
      if (!servedByWorker && registration.active) registration.active.postMessage({ type: "keep-my-work" });
    }).catch(function () {
      // no worker (private window, old browser): the site works as before, without offline reading
    });
  }

  if ("serviceWorker" in navigator) {
    if (document.readyState === "complete") registerWorker();
    else window.addEventListener("load", registerWorker);
  }
})();
