// Material head script (mkdocs-material 9.8.1, partials/javascripts/base.html), moved to a file so that pages
// need no inline script under a strict Content-Security-Policy. Runs synchronously where Material ran it.
// The bundle root is two folders above this file (assets/javascripts/), the scope Material derives from base_url.
__md_scope=new URL("../..",document.currentScript.src),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+"."+e)),__md_set=(e,_,t=localStorage,a=__md_scope)=>{try{t.setItem(a.pathname+"."+e,JSON.stringify(_))}catch(e){}}
// tiepcan: scripts run on this page, said before the first paint (Material drops its no-js class only at
// the end of the body): the controls tiepcan.js shows later have their room from the start, so nothing moves.
document.documentElement.classList.add("tc-js");
// Material's bundle swaps no-js for js on <html> when it runs, after the page has been parsed; some of its
// rules under .no-js end in a bare :nth-child(), so Chromium then restyles every element of the page (on a
// 500-entry catalog a slow phone's longest task). Swapped here, before <body> exists, it costs nothing,
// and Material's own swap changes no class. The bundle is deferred, so it does run; without JavaScript
// this file does not run either and the page keeps no-js.
document.documentElement.classList.replace("no-js", "js");
// A search page opened with a query (tim-kiem.html?q=…, theme/assets/tc-search.js) shows its results
// seconds later, once Pagefind has loaded: tc-query gives them a screen's room before then.
if (/[?&]q=[^&]/.test(location.search)) document.documentElement.classList.add("tc-query");
