// Every page: registers the service worker (/sw.js, scope "/") and shows the "offline: fetched at …"
// banner (base.html's #offline-banner, its text filled in by the server) when the page came from the
// phone's copy (the worker marks it with <meta name="served-from" content="cache">) or the phone is
// offline.
(function () {
  "use strict";

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

  if ("serviceWorker" in navigator) {
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
})();
