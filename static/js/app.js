// Small progressive enhancements. No inline script anywhere (the Content Security Policy forbids it).
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    // Auto-submit forms marked js-autosubmit when a select changes (the school switcher).
    document.querySelectorAll("form.js-autosubmit select").forEach(function (select) {
      select.addEventListener("change", function () { select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit(); });
    });
    // A note that applies to some choices of a select, shown while one of them is chosen:
    // <div data-show-with="#select-id" data-show-values="N M">.
    document.querySelectorAll("[data-show-with]").forEach(function (note) {
      var select = document.querySelector(note.getAttribute("data-show-with"));
      if (!select) { return; }
      var values = note.getAttribute("data-show-values").split(" ");
      var update = function () { note.hidden = values.indexOf(select.value) === -1; };
      select.addEventListener("change", update);
      update();
    });
    document.querySelectorAll(".js-hide-when-scripted").forEach(function (el) { el.classList.add("d-none"); });
    // A form that came back with errors: focus its first field in error, so a screen reader reads
    // the field with its message (aria-describedby) and the page opens where the problem is.
    var invalid = document.querySelector("main [aria-invalid='true']:not([type='hidden'])");
    if (invalid && !document.querySelector("[autofocus]")) { invalid.focus(); }
    // Confirm before destructive actions: <button data-confirm="Are you sure?">.
    document.addEventListener("click", function (event) {
      var target = event.target.closest("[data-confirm]");
      if (target && !window.confirm(target.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
    // Copy-to-clipboard buttons: <button data-copy="#id">.
    document.addEventListener("click", function (event) {
      var button = event.target.closest("[data-copy]");
      if (!button) { return; }
      var source = document.querySelector(button.getAttribute("data-copy"));
      if (source && navigator.clipboard) {
        navigator.clipboard.writeText(source.value || source.textContent);
        button.textContent = "Copied";
      }
    });
  });
})();
