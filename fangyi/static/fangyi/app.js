// Small behaviours that need no inline script (the CSP forbids those).
document.addEventListener("DOMContentLoaded", function () {
  // Keep the filter form's grid list to the chosen community.
  var community = document.getElementById("id_community");
  var grid = document.getElementById("id_grid");
  if (community && grid) {
    var all = Array.prototype.slice.call(grid.options);
    var narrow = function () {
      var name = community.options[community.selectedIndex] ? community.options[community.selectedIndex].text : "";
      all.forEach(function (opt) {
        opt.hidden = Boolean(community.value) && Boolean(opt.value) && opt.text.indexOf(name + " ") !== 0;
      });
    };
    community.addEventListener("change", narrow);
    narrow();
  }
});
