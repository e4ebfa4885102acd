/* Photos shrunk on the phone before they are sent or queued: decoded, turned upright, scaled so the
 * longest side is at most 1600 px, re-encoded as JPEG at quality 0.8 (typically under 300 KB instead
 * of several MB). The server still checks and re-encodes what arrives.
 *
 * TrackerPhotos.shrinkAll(files, options) resolves {files: [File], failed: [name]}: a photo the
 * browser can't decode is left out and named in `failed`; the others are kept.
 *
 * Hook for a visible stamp (time and place, when the town asks for it): each function in
 * TrackerPhotos.stampers is called as fn(context2d, width, height, options.stamp) after the photo is
 * drawn and before it is encoded, when options.stamp is given (record-queue.js passes
 * {form, text} for a form carrying data-photo-stamp).
 */
(function (scope) {
  "use strict";

  var MAX_SIDE = 1600;
  var QUALITY = 0.8;

  function decode(file) {
    if (typeof scope.createImageBitmap === "function") {
      // Chromium turns the picture upright from its EXIF orientation.
      return scope.createImageBitmap(file, { imageOrientation: "from-image" });
    }
    return new Promise(function (resolve, reject) {  // older browsers: an <img> (upright by CSS's image-orientation default)
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("undecodable")); };
      img.src = url;
    });
  }

  function canvasOf(width, height) {
    if (typeof scope.OffscreenCanvas === "function") return new scope.OffscreenCanvas(width, height);
    var canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    return canvas;
  }

  function encode(canvas, quality) {
    if (typeof canvas.convertToBlob === "function") return canvas.convertToBlob({ type: "image/jpeg", quality: quality });
    return new Promise(function (resolve, reject) {
      canvas.toBlob(function (blob) { return blob ? resolve(blob) : reject(new Error("encode")); }, "image/jpeg", quality);
    });
  }

  function jpegName(name) {
    var base = (name || "photo").replace(/\.[^.\/]*$/, "");
    return base + ".jpg";
  }

  function shrink(file, options) {
    options = options || {};
    var maxSide = options.maxSide || MAX_SIDE;
    return decode(file).then(function (image) {
      var width = image.naturalWidth || image.width;
      var height = image.naturalHeight || image.height;
      if (!width || !height) throw new Error("undecodable");
      var scale = Math.min(1, maxSide / Math.max(width, height));
      var w = Math.max(1, Math.round(width * scale));
      var h = Math.max(1, Math.round(height * scale));
      var canvas = canvasOf(w, h);
      var context = canvas.getContext("2d");
      context.imageSmoothingEnabled = true;
      context.imageSmoothingQuality = "high";
      context.drawImage(image, 0, 0, w, h);
      if (typeof image.close === "function") image.close();
      if (options.stamp) {
        TrackerPhotos.stampers.forEach(function (stamper) { stamper(context, w, h, options.stamp); });
      }
      return encode(canvas, options.quality || QUALITY);
    }).then(function (blob) {
      return new File([blob], jpegName(file.name), { type: "image/jpeg", lastModified: file.lastModified || Date.now() });
    });
  }

  function shrinkAll(files, options) {
    var kept = [];
    var failed = [];
    return Array.prototype.reduce.call(files || [], function (previous, file) {
      return previous.then(function () {
        return shrink(file, options).then(function (small) { kept.push(small); }, function () { failed.push(file.name); });
      });
    }, Promise.resolve()).then(function () { return { files: kept, failed: failed }; });
  }

  var TrackerPhotos = { MAX_SIDE: MAX_SIDE, QUALITY: QUALITY, shrink: shrink, shrinkAll: shrinkAll, stampers: [] };
  scope.TrackerPhotos = TrackerPhotos;
})(self);
