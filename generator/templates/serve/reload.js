// `tiepcan serve` only (never in a published build): reload the page once the site was rebuilt.
// The stamp the page was served with is on this script's tag; the server counts builds.
(function () {
  "use strict";
  var script = document.currentScript;
  var served = script.getAttribute("data-stamp");
  var stampUrl = script.getAttribute("data-stamp-url");
  function poll() {
    fetch(stampUrl, {cache: "no-store"})
      .then(function (response) { return response.ok ? response.text() : served; })
      .then(function (stamp) {
        if (stamp.trim() !== served) { window.location.reload(); } else { window.setTimeout(poll, 700); }
      })
      .catch(function () { window.setTimeout(poll, 2000); });  // the server is restarting
  }
  window.setTimeout(poll, 700);
})();
