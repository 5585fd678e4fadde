// Bulk actions on queues: a box ticks or unticks every row box of its form (data-select-all="<form id>").
document.querySelectorAll("[data-select-all]").forEach(function (all) {
  var formId = all.getAttribute("data-select-all");
  var rows = function () {
    return document.querySelectorAll('input[name="ids"][form="' + formId + '"]');
  };
  var follow = function () {
    rows().forEach(function (box) { box.checked = all.checked; });
  };
  all.addEventListener("change", follow);
  // ticked before this script ran (a slow phone): the rows follow now
  if (all.checked) { follow(); }
});
