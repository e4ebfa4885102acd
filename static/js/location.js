// "Use my location": fills the record form's hidden latitude/longitude/accuracy_m/located_at inputs
// from the browser's geolocation and says how accurate it is. Without JavaScript (or without a
// position) the button stays hidden or reports the problem, and the form still saves without it.
(function () {
  "use strict";

  function reveal(root) {
    var buttons = (root || document).querySelectorAll("[data-locate]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
    }
  }

  function say(box, text) {
    var status = box.querySelector("[data-location-status]");
    if (status) status.textContent = text;
  }

  function fill(box, name, value) {
    var input = box.querySelector("[data-location-" + name + "]");
    if (input) input.value = value;
  }

  function locate(button) {
    var box = button.closest("[data-location]");
    if (!box) return;
    if (!("geolocation" in navigator)) {
      say(box, button.dataset.msgUnsupported || "");
      return;
    }
    button.disabled = true;
    say(box, button.dataset.msgWaiting || "");
    navigator.geolocation.getCurrentPosition(
      function (position) {
        var c = position.coords;
        fill(box, "latitude", c.latitude.toFixed(6));
        fill(box, "longitude", c.longitude.toFixed(6));
        fill(box, "accuracy-m", Math.round(c.accuracy));
        fill(box, "located-at", new Date(position.timestamp || Date.now()).toISOString());
        say(box, (button.dataset.msgDone || "").replace("{m}", String(Math.round(c.accuracy))));
        button.disabled = false;
      },
      function () {
        say(box, button.dataset.msgFailed || "");
        button.disabled = false;
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
    );
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-locate]") : null;
    if (button) {
      event.preventDefault();
      locate(button);
    }
  });
  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:load", function (event) { reveal(event.target); });
})();
