// The "not found" page is served at any depth, with <base> set to the bundle root by the server
// (docs/deploy/). Material resolves its configured base against the page's own address, not
// <base>, so it would look for the search index in the wrong folder: make that base absolute.
(function () {
  var element = document.getElementById("__config");
  var config = JSON.parse(element.textContent);
  config.base = new URL(config.base, document.baseURI).href;
  element.textContent = JSON.stringify(config);
})();

// With <base> set, "#noi-dung" would lead to the bundle's first page: the skip link names this page.
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var skip = document.querySelector("a.tc-skip");
    if (skip) skip.href = location.href.split("#")[0] + "#noi-dung";
  });
})();
