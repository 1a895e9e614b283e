// Provision pages: a print button (no inline onclick under the CSP).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest(".js-print")) { window.print(); }
  });
})();
