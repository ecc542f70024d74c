/* tiepcan search page (issue #4). Loaded only by tim-kiem.html; nothing else of search is fetched
 * until the search field gets focus or a query. Index files: generator/index.py.
 * - Agency bundle: one Pagefind index at ./pagefind/ with a record per catalog row and per page.
 * - Portal: ./pagefind/ holds one record per agency, in parts above ~500 agencies (data-index-parts:
 *   ./pagefind/parts/<k>/, merged at once); the best agencies' own indexes (./<id>/pagefind/) are
 *   then merged into the same Pagefind instance (one WebAssembly download) and searched for documents.
 * Queries are folded đ→d like the indexed text (Pagefind itself folds tone marks only).
 * No inline script, no eval: Pagefind needs CSP script-src 'self' 'wasm-unsafe-eval'. */
(function () {
  "use strict";
  var box = document.querySelector(".tc-search");
  if (!box) return;
  var form = box.querySelector(".tc-search__form");
  var input = form.querySelector("input[type=search]");
  var status = box.querySelector(".tc-search__status");
  var output = box.querySelector(".tc-search__results");
  var fallback = box.querySelector(".tc-search__fallback");
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
  var portal = box.getAttribute("data-scope") === "portal";
  var PAGE = 10; // results shown at a time
  var AGENCIES = 5; // portal: agencies whose documents are searched for one query
  var EVERY_AGENCY = "zzcoquan"; // a word every agency record has (generator/index.py EVERY_AGENCY)

  function text(key, params) {
    var template = box.getAttribute("data-t-" + key) || "";
    return template.replace(/\{(\w+)\}/g, function (_, name) { return params && name in params ? params[name] : ""; });
  }

  if (location.protocol === "file:") {
    // Browsers refuse to fetch the index from file://: keep the links, say why.
    box.querySelector(".tc-search__why").textContent = text("no-fetch");
    return;
  }
  fallback.hidden = true;
  form.hidden = false;

  var indexUrl = new URL(box.getAttribute("data-index"), location.href).href;
  var parts = (box.getAttribute("data-index-parts") || "").split(" ").filter(Boolean);
  var rootUrl = new URL("../", indexUrl).href;
  var engine = null;
  var merged = {};

  function load() {
    if (!engine) {
      status.textContent = text("loading");
      engine = import(indexUrl + "pagefind.js").then(function (pagefind) {
        // Pagefind runs in its Web Worker (pagefind-worker.js, CSP worker-src 'self'): unpacking the
        // index and searching do not block the page; if the worker cannot start, it runs on the page.
        return pagefind.options({ basePath: indexUrl }).then(function () { return pagefind.init(); })
          .then(function () {
            return Promise.all(parts.map(function (part) {
              return pagefind.mergeIndex(new URL(part, indexUrl).href, { language: "vi" });
            }));
          })
          .then(function () { status.textContent = ""; return pagefind; });
      });
      engine.catch(function () { engine = null; });
    }
    return engine;
  }

  function plain(text) {
    // No tone or vowel mark, đ as d: how the query is given to Pagefind (whose index folds marks
    // itself, and has đ→d folded at build time).
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase().trim();
  }

  function highlighted(sentence, query) {
    // The shown text is the record's own (with đ and tones); words that start with a query word are marked.
    var words = plain(query).split(/[\s/,;:().\-]+/).filter(Boolean);
    var fragment = document.createDocumentFragment();
    sentence.split(/(\s+)/).forEach(function (piece) {
      var p = plain(piece).replace(/^[^\w]+/, "");
      var hit = p && words.some(function (w) { return p.indexOf(w) === 0; });
      if (hit) {
        var mark = document.createElement("mark");
        mark.textContent = piece;
        fragment.appendChild(mark);
      } else {
        fragment.appendChild(document.createTextNode(piece));
      }
    });
    return fragment;
  }

  function item(data, base, query, showAgency) {
    var li = document.createElement("li");
    var link = document.createElement("a");
    link.href = new URL(data.meta.u, base).href;
    link.appendChild(highlighted(data.meta.title || data.meta.u, query));
    li.appendChild(link);
    var details = [showAgency ? data.meta.n : "", data.meta.x].filter(Boolean).join(" · ");
    if (details) {
      var meta = document.createElement("p");
      meta.className = "tc-search__meta";
      meta.appendChild(highlighted(details, query));
      li.appendChild(meta);
    }
    return li;
  }

  function baseOf(data) {
    return data.meta.t === "agency" || !portal ? rootUrl : new URL(data.meta.a + "/", rootUrl).href;
  }

  function section(name, heading, results, query, showAgency) {
    var wrapper = document.createElement("section");
    wrapper.className = "tc-search__" + name;
    if (heading) {
      var h = document.createElement("h2");
      h.textContent = heading;
      wrapper.appendChild(h);
    }
    var list = document.createElement("ol");
    list.className = "tc-search__list";
    wrapper.appendChild(list);
    var shown = 0;
    var more = document.createElement("button");
    more.type = "button";
    more.className = "md-button tc-search__more";
    more.textContent = text("more");
    function next() {
      var batch = results.slice(shown, shown + PAGE);
      var first = shown;
      shown += batch.length;
      more.hidden = shown >= results.length;
      return Promise.all(batch.map(function (r) { return r.data(); })).then(function (all) {
        all.forEach(function (data) { list.appendChild(item(data, baseOf(data), query, showAgency)); });
        if (first > 0 && list.children[first]) list.children[first].querySelector("a").focus();
      });
    }
    more.addEventListener("click", next);
    wrapper.appendChild(more);
    return { element: wrapper, ready: next() };
  }

  function accentedWords(query) {
    return query.normalize("NFC").toLowerCase().split(/[\s/,;:().\-]+/).filter(function (w) {
      return w && w.normalize("NFD") !== w.replace(/đ/g, "d");
    });
  }

  function exactFirst(results, raw) {
    // Pagefind is asked without any mark, so the order depends only on the words, and a query typed
    // without marks gets the same first result. Among the first page, results that contain the
    // query's accented words exactly as typed then move up (stable, so ties keep Pagefind's order).
    // A document number typed in full ("1408/QĐ-TTg") puts the document carrying that number first.
    var accented = accentedWords(raw);
    var numbers = plain(raw).split(/\s+/).filter(function (w) { return /\d/.test(w) && w.indexOf("/") > 0; });
    if (!accented.length && !numbers.length) return Promise.resolve(results);
    var head = results.slice(0, PAGE);
    return Promise.all(head.map(function (r) { return r.data(); })).then(function (all) {
      var scored = head.map(function (r, i) {
        var words = ((all[i].meta.title || "") + " " + (all[i].meta.x || "")).normalize("NFC").toLowerCase()
          .split(/[\s/,;:().\-]+/);
        var shown = plain(all[i].meta.x || "").split(/[\s·]+/);
        var exact = accented.filter(function (w) { return words.indexOf(w) >= 0; }).length +
          100 * numbers.filter(function (n) { return shown.indexOf(n) >= 0; }).length;
        var data = all[i];
        return { exact: exact, i: i, result: { id: r.id, score: r.score, data: function () { return Promise.resolve(data); } } };
      });
      scored.sort(function (a, b) { return b.exact - a.exact || a.i - b.i; });
      return scored.map(function (x) { return x.result; }).concat(results.slice(PAGE));
    });
  }

  function filters() {
    var chosen = {};
    selects.forEach(function (s) { if (s.value) chosen[s.getAttribute("data-filter")] = s.value; });
    return chosen;
  }

  function mergeAgency(pagefind, id) {
    if (!merged[id]) merged[id] = pagefind.mergeIndex(new URL(id + "/pagefind/", rootUrl).href, { language: "vi" });
    return merged[id];
  }

  function forgiving(pagefind, query, chosen, scope) {
    // Pagefind wants every word; one mistyped word ("trien khia") would hide the rest. When few
    // results come back, the results of the query without each word in turn follow, best first.
    // `scope` words (agency records only) are kept in every variant.
    var within = function (q) { return scope && scope.length ? q + " " + scope.join(" ") : q; };
    return pagefind.search(within(query), { filters: chosen }).then(function (found) {
      var words = query.split(/\s+/);
      if (found.results.length >= PAGE / 2 || words.length < 2) return found.results;
      var seen = {};
      found.results.forEach(function (r) { seen[r.id] = true; });
      return Promise.all(words.map(function (_, i) {
        return pagefind.search(within(words.filter(function (__, j) { return j !== i; }).join(" ")), { filters: chosen });
      })).then(function (partial) {
        var extra = [];
        partial.forEach(function (p) {
          p.results.forEach(function (r) { if (!seen[r.id]) { seen[r.id] = true; extra.push(r); } });
        });
        extra.sort(function (a, b) { return b.score - a.score; });
        return found.results.concat(extra);
      });
    });
  }

  function token(value) { return value.toLowerCase().replace(/[^a-z0-9]/g, ""); }

  function agencyScope(chosen) {
    // Agency records carry words for their scopes (generator/index.py scope_words), not filters:
    // every agency, its kind, each ancestor. Documents of merged bundle indexes have none of them.
    var words = [EVERY_AGENCY];
    if (chosen.kind) words.push("zzkind" + token(chosen.kind));
    if (chosen.parent) words.push("zzparent" + token(chosen.parent));
    return words;
  }

  function pickAgencies(pagefind, query, chosen) {
    var scope = agencyScope(chosen);
    // The portal's agency records leave out words most agencies share (generator/index.py), so a
    // query made only of such words picks no agency by itself: the first agencies of the chosen
    // scope are searched then, and the page says the search was broad.
    // Once bundle indexes are merged, their documents must not count as agencies: Pagefind ignores
    // words an index lacks, so the scope words alone would not keep them out. A portal index in
    // parts has a record of every scope word in each part (never an agency): kept out the same way.
    var only = parts.length || Object.keys(merged).length ? { t: "agency" } : {};
    return forgiving(pagefind, query, only, scope).then(function (agencies) {
      if (agencies.length) return { agencies: agencies, broad: false };
      return pagefind.search(scope.join(" "), { filters: only })
        .then(function (all) { return { agencies: all.results, broad: true }; });
    }).then(function (found) {
      return Promise.all(found.agencies.slice(0, AGENCIES).map(function (r) { return r.data(); })).then(function (top) {
        return { ids: top.map(function (d) { return d.meta.a; }), agencies: found.broad ? [] : found.agencies, broad: found.broad };
      });
    });
  }

  function searchPortal(pagefind, query, chosen) {
    var pick = chosen.agency
      ? Promise.resolve({ ids: [chosen.agency], agencies: [] })
      : pickAgencies(pagefind, query, chosen);
    return pick.then(function (picked) {
      if (!picked.ids.length) return { agencies: picked.agencies, documents: [] };
      return Promise.all(picked.ids.map(function (id) { return mergeAgency(pagefind, id); }))
        .then(function () { return forgiving(pagefind, query, { a: { any: picked.ids } }); })
        .then(function (documents) { return { agencies: picked.agencies, documents: documents, broad: picked.broad }; });
    });
  }

  var latest = 0;
  function run() {
    var raw = input.value.trim();
    var query = plain(raw);
    var ticket = ++latest;
    if (!query) {
      output.replaceChildren();
      status.textContent = "";
      return Promise.resolve();
    }
    return load().then(function (pagefind) {
      var found = portal ? searchPortal(pagefind, query, filters())
        : forgiving(pagefind, query, {}).then(function (results) { return { agencies: [], documents: results }; });
      return found.then(function (r) {
        return exactFirst(r.documents, raw).then(function (documents) {
          return { agencies: r.agencies, documents: documents, broad: r.broad };
        });
      }).then(function (r) {
        if (ticket !== latest) return;
        var parts = [];
        if (r.agencies.length) parts.push(section("agencies", text("agencies"), r.agencies.slice(0, 3), raw, false));
        if (r.documents.length) parts.push(section("documents", portal ? text("documents") : "", r.documents, raw, portal));
        return Promise.all(parts.map(function (p) { return p.ready; })).then(function () {
          if (ticket !== latest) return;
          output.replaceChildren.apply(output, parts.map(function (p) { return p.element; }));
          var count = r.documents.length;
          status.textContent = (count ? text("count", { count: count, query: raw }) : text("none", { query: raw })) +
            (r.broad ? " " + text("broad") : "");
          box.setAttribute("data-state", "done");
        });
      });
    }).catch(function () {
      status.textContent = text("failed");
      fallback.hidden = false;
    });
  }

  function remember() {
    var params = new URLSearchParams();
    if (input.value.trim()) params.set("q", input.value.trim());
    selects.forEach(function (s) { if (s.value) params.set(s.name, s.value); });
    history.replaceState(null, "", "?" + params.toString());
  }

  var timer = null;
  input.addEventListener("focus", function () { load().catch(function () {}); });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    box.removeAttribute("data-state");
    timer = setTimeout(run, 300);
  });
  selects.forEach(function (s) { s.addEventListener("change", function () { if (input.value.trim()) { remember(); run(); } }); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    remember();
    run();
  });

  // A query in the address (from a link or a reload) is a search already asked for.
  var params = new URLSearchParams(location.search);
  selects.forEach(function (s) { if (params.get(s.name)) s.value = params.get(s.name); });
  if (params.get("q")) {
    input.value = params.get("q");
    run();
  }
})();
