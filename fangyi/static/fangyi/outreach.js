// Outreach and home-visit pages (the CSP forbids inline scripts).
(function () {
  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    // A choice of community or grid reloads the queue at once.
    document.querySelectorAll("select.autosubmit").forEach(function (select) {
      select.addEventListener("change", function () {
        if (select.name === "community") {
          var grid = select.form.querySelector("select[name=grid]");
          if (grid) grid.value = "";
        }
        select.form.submit();
      });
    });
    // The run sheet's print button.
    document.querySelectorAll("button.print-page").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
