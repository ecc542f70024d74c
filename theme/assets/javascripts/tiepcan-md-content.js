// Material tab-from-hash script (mkdocs-material 9.8.1, partials/javascripts/content.html), moved to a file so that pages
// need no inline script under a strict Content-Security-Policy. Runs synchronously where Material ran it.
var target=document.getElementById(location.hash.slice(1));target&&target.name&&(target.checked=target.name.startsWith("__tabbed_"))
