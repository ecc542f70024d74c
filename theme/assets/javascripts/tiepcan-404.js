// The "not found" page is served at any depth, with <base> set to the bundle root by the server
// (docs/deploy/). Material resolves its configured base against the page's own address, not
// <base>, so it would look for the search index in the wrong folder: make that base absolute.
(function () {
  var element = document.getElementById("__config");
  var config = JSON.parse(element.textContent);
  config.base = new URL(config.base, document.baseURI).href;
  element.textContent = JSON.stringify(config);
})();
