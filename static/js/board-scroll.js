// The board on a phone: bring today's month (or quarter) into view in the sideways-scrolling table,
// with the months before it beside the names, which stay put (position: sticky). Runs when the page
// loads and again whenever htmx swaps the board (the filters, the pagers).
(function () {
  "use strict";

  function showNow() {
    var scroller = document.querySelector("#board .board-scroll");
    var now = scroller && scroller.querySelector("th.board-now");
    // once per board: a cell opened below must not move the table the user has scrolled
    if (!now || scroller.dataset.nowShown || scroller.scrollWidth <= scroller.clientWidth) return;
    scroller.dataset.nowShown = "1";
    var names = scroller.querySelector("thead .board-person");
    var namesWidth = names ? names.offsetWidth : 0;
    // today's column at the right edge of what shows, so that the months just past are in view too
    var left = now.offsetLeft + now.offsetWidth - scroller.clientWidth + 8;
    // never so far that today's column slides under the names
    left = Math.min(left, now.offsetLeft - namesWidth);
    scroller.scrollLeft = Math.max(0, left);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showNow);
  } else {
    showNow();
  }
  document.addEventListener("htmx:afterSettle", showNow);
})();
