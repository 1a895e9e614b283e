// The graduated approach pages. No inline script (CSP); behaviour lives in app.js data- hooks.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // The review form: the next review date only matters when a next cycle opens.
    var steps = document.querySelectorAll("input[name='next_step']");
    var nextDate = document.getElementById("div_id_next_review_date");
    if (!steps.length || !nextDate) { return; }
    function sync() {
      var chosen = document.querySelector("input[name='next_step']:checked");
      nextDate.classList.toggle("d-none", !!chosen && chosen.value === "leave");
    }
    steps.forEach(function (s) { s.addEventListener("change", sync); });
    sync();
  });
})();
