/* The visible stamp of time and place on a record's photo (DingTalk-style check-in photos), drawn on
 * the phone when the town asks for it (the record form carries data-photo-stamp="<town name>" and
 * data-photo-stamp-zone="<time zone>"; the secretary turns it on under Photo settings).
 *
 * self.trackerStampPhoto(target, {time, place, lat, lon}) draws, at the bottom of a canvas (or its 2D
 * context), a dark band with white text: the time (a Date, shown as YYYY-MM-DD HH:MM in `zone` when
 * given, or a string as it is), the place, and the coordinates to 5 decimals when known. Sizes follow
 * the photo (about 1/32 of its longer side, at least 14 px), so a 1600 px photo and a thumbnail read
 * alike. It returns the lines drawn.
 *
 * It hooks itself into photo-shrink.js: TrackerPhotos.stampers gets a function that reads the form
 * (the chosen place, else the town; the location the form has found, if any) and stamps each photo
 * after it is shrunk and before it is encoded.
 */
(function (scope) {
  "use strict";

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function timeText(time, zone) {
    if (!(time instanceof Date)) return time ? String(time) : "";
    if (zone && scope.Intl && Intl.DateTimeFormat) {
      try {
        var parts = {};
        new Intl.DateTimeFormat("en-CA", {
          timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23"
        }).formatToParts(time).forEach(function (p) { parts[p.type] = p.value; });
        return parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour + ":" + parts.minute;
      } catch (e) { /* an unknown zone: the phone's own time below */ }
    }
    return time.getFullYear() + "-" + two(time.getMonth() + 1) + "-" + two(time.getDate()) + " " +
      two(time.getHours()) + ":" + two(time.getMinutes());
  }

  function number(value) {
    var n = typeof value === "string" && value.trim() === "" ? NaN : Number(value);
    return value === null || value === undefined || !isFinite(n) ? null : n;
  }

  function stampLines(info) {
    var lines = [];
    var time = timeText(info.time, info.zone);
    if (time) lines.push(time);
    if (info.place) lines.push(String(info.place));
    var lat = number(info.lat), lon = number(info.lon);
    if (lat !== null && lon !== null) {
      lines.push((lat >= 0 ? "N " : "S ") + Math.abs(lat).toFixed(5) + "  " + (lon >= 0 ? "E " : "W ") + Math.abs(lon).toFixed(5));
    }
    return lines;
  }

  function trackerStampPhoto(target, info) {
    var context = target && typeof target.getContext === "function" ? target.getContext("2d") : target;
    if (!context || !context.canvas) return [];
    var width = context.canvas.width, height = context.canvas.height;
    var lines = stampLines(info || {});
    if (!lines.length) return lines;
    var size = Math.max(14, Math.round(Math.max(width, height) / 32));
    var pad = Math.round(size * 0.6);
    var lineHeight = Math.round(size * 1.3);
    var band = lines.length * lineHeight + pad * 2;
    context.save();
    context.fillStyle = "rgba(0, 0, 0, 0.55)";
    context.fillRect(0, height - band, width, band);
    context.fillStyle = "#ffffff";
    context.textBaseline = "top";
    context.font = "bold " + size + "px sans-serif";
    lines.forEach(function (line, index) {
      context.fillText(line, pad, height - band + pad + index * lineHeight, width - pad * 2);
    });
    context.restore();
    return lines;
  }

  function fromForm(form) {
    var info = { time: new Date(), zone: form.dataset.photoStampZone || "", place: form.dataset.photoStamp || "" };
    var select = form.querySelector("select[name=place_id]");
    if (select && select.value && select.selectedIndex >= 0) info.place = select.options[select.selectedIndex].text;
    var lat = form.querySelector("[data-location-latitude]"), lon = form.querySelector("[data-location-longitude]");
    if (lat && lon && lat.value && lon.value) { info.lat = lat.value; info.lon = lon.value; }
    return info;
  }

  function stamper(context, width, height, stamp) {
    var form = stamp && stamp.form;
    if (form && form.hasAttribute && form.hasAttribute("data-photo-stamp")) trackerStampPhoto(context, fromForm(form));
  }

  scope.trackerStampPhoto = trackerStampPhoto;
  scope.trackerStampPhoto.linesOf = stampLines;
  scope.trackerStampPhoto.fromForm = fromForm;
  // photo-shrink.js may load before or after this file (both deferred): hook in once both have run.
  function register() {
    var photos = scope.TrackerPhotos;
    if (photos && photos.stampers && photos.stampers.indexOf(stamper) < 0) photos.stampers.push(stamper);
  }
  register();
  if (scope.document && document.readyState !== "complete") {  // deferred scripts run while "interactive"
    document.addEventListener("DOMContentLoaded", register);
    scope.addEventListener("load", register);
  }
})(self);
