// Provision pages: a print button (no inline onclick under the CSP), and the session cards'
// refusals. htmx does not swap 4xx answers by default, so a card sent back with a 422 (a
// cancelled session without a reason, say) would leave the old card on screen and the member
// of staff with no idea why nothing happened: swap it in, with its messages next to the fields.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest(".js-print")) { window.print(); }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (detail.xhr && detail.xhr.status === 422 && detail.target && detail.target.closest(".session-card")) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });
})();
