/* foretell: the author's figures in the author box of a prediction page (predictions, points,
   accuracy), read from authors/<key>/figures.json, which every build keeps current. The box
   keeps them hidden until they are in: without JavaScript, or if the file cannot be read, the
   box still links the author's track record. */
(function () {
  "use strict";
  var box = document.querySelector("dl[data-figures]");
  if (!box || !window.fetch) { return; }
  fetch(box.getAttribute("data-figures")).then(function (response) {
    if (!response.ok) { throw new Error("HTTP " + response.status); }
    return response.json();
  }).then(function (figures) {
    var cells = box.querySelectorAll("[data-figure]");
    for (var i = 0; i < cells.length; i++) {
      var value = figures[cells[i].getAttribute("data-figure")];
      if (typeof value !== "string") { return; }  /* an unknown file: show nothing wrong */
      cells[i].textContent = value;
    }
    box.hidden = false;
  }).catch(function () { /* the link to the track record stays */ });
})();
