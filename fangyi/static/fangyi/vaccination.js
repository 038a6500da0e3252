// Vaccination pages: behaviours that need no inline script (the CSP forbids those).
document.addEventListener("DOMContentLoaded", function () {
  // The dose form: show the fields of the chosen screening result only.
  var form = document.querySelector(".dose-form");
  if (form) {
    var radios = form.querySelectorAll("input[name=screening]");
    var groups = form.querySelectorAll(".group[data-screening]");
    var show = function () {
      var checked = form.querySelector("input[name=screening]:checked");
      var value = checked ? checked.value : "passed";
      groups.forEach(function (group) {
        group.hidden = group.getAttribute("data-screening").split(" ").indexOf(value) < 0;
      });
    };
    radios.forEach(function (radio) { radio.addEventListener("change", show); });
    show();
  }
  // Selects that change the page as soon as they change (e.g. the observation site).
  document.querySelectorAll("select.autosubmit").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});
