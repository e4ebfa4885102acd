// htmx leaves 4xx answers unswapped. A form marked data-swap-errors gets its answer swapped anyway:
// the server sends the same partial back with a message beside each field (400), or an error box.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var status = detail.xhr ? detail.xhr.status : 0;
    var source = detail.requestConfig ? detail.requestConfig.elt : null;
    if (status >= 400 && status < 500 && source && source.closest && source.closest("[data-swap-errors]")) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });
})();
