/* The console's tab bar on a narrow screen: it scrolls sideways (console.css), so the
 * current tab is brought into view when a page opens (Leads and History sit past the right
 * edge of a phone), and the bar fades only at an edge with more tabs behind it. */
(function () {
  "use strict";

  function showCurrent(bar) {
    var current = bar.querySelector('[aria-current="page"]');
    if (!current || bar.scrollWidth <= bar.clientWidth) return;
    var barBox = bar.getBoundingClientRect();
    var tabBox = current.getBoundingClientRect();
    // Centre it: the tabs on both sides show there is more to scroll to.
    bar.scrollLeft += tabBox.left - barBox.left - (barBox.width - tabBox.width) / 2;
  }

  function markEdges(bar) {
    var hidden = bar.scrollWidth - bar.clientWidth;
    bar.classList.toggle("tabs-more-left", hidden > 1 && bar.scrollLeft > 1);
    bar.classList.toggle("tabs-more-right", hidden > 1 && bar.scrollLeft < hidden - 1);
  }

  function init() {
    var bar = document.querySelector(".topbar .tabs");
    if (!bar) return;
    showCurrent(bar);
    markEdges(bar);
    bar.classList.add("tabs-measured");
    bar.addEventListener("scroll", function () { markEdges(bar); }, { passive: true });
    window.addEventListener("resize", function () { showCurrent(bar); markEdges(bar); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
