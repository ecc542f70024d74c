/* tiepcan: "Nghe nội dung" (issue 15). Reads the page's article aloud with the browser's own speech
 * synthesis in Vietnamese, sentence by sentence; the sentence being read is highlighted and scrolled
 * into view. The controls (theme/main.html) stay hidden unless the browser has a Vietnamese voice:
 * without one, nothing appears. No request to any host: the voice is the browser's. */
(function () {
  "use strict";
  var box = document.querySelector("[data-tc-listen]");
  var synth = window.speechSynthesis;
  if (!box || !synth || typeof window.SpeechSynthesisUtterance !== "function") return;
  var play = box.querySelector(".tc-listen__play");
  var stop = box.querySelector(".tc-listen__stop");
  var rate = box.querySelector(".tc-listen__rate");
  var status = box.querySelector(".tc-listen__status");
  var article = document.querySelector(".md-content article") || document.querySelector("article");
  var BLOCKS = "h1,h2,h3,h4,h5,h6,p,li,dt,dd,caption,th,td,figcaption,blockquote,label,summary";
  var SKIP = ".tc-listen,.tc-report-page,.tc-print-only,.md-content__button,script,style,template,[hidden],[aria-hidden=true]";
  var voice = null;
  var queue = null;
  var current = 0;
  var state = "idle"; // idle | playing | paused
  var token = 0;

  function say(key) { return box.getAttribute("data-t-" + key) || ""; }

  function voiceFor(lang) {
    var voices = synth.getVoices() || [];
    var pattern = new RegExp("^" + lang.split(/[-_]/)[0] + "([-_]|$)", "i");
    for (var i = 0; i < voices.length; i += 1) {
      if (pattern.test(voices[i].lang || "")) return voices[i];
    }
    return null;
  }

  function vietnamese() { return voiceFor("vi"); }

  function findVoice() {
    if (voice) return;
    voice = vietnamese();
    if (voice && article) box.hidden = false;
  }

  // The article's readable blocks, innermost only, in document order, each split into sentences,
  // each sentence a Range over the block's own text nodes (for the highlight).
  function sentences() {
    var list = [];
    Array.prototype.forEach.call(article.querySelectorAll(BLOCKS), function (block) {
      if (block.closest(SKIP) || block.querySelector(BLOCKS) || !block.getClientRects().length) return;
      var marked = block.closest("[lang]");
      var lang = (marked && marked.getAttribute("lang")) || "vi";
      var nodes = [];
      var walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
      var text = "";
      for (var node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement && node.parentElement.closest(SKIP)) continue;
        nodes.push({ node: node, start: text.length });
        text += node.data;
      }
      // A sentence ends at . ! ? … followed by a space (so 1.000 and 305/KH-UBND stay whole), or with its block.
      var end = /[.!?…]+(?:\s+|$)/g;
      var start = 0;
      var match;
      var cuts = [];
      while ((match = end.exec(text)) && match[0]) { cuts.push([start, end.lastIndex]); start = end.lastIndex; }
      if (start < text.length) cuts.push([start, text.length]);
      cuts.forEach(function (cut) {
        var said = text.slice(cut[0], cut[1]).replace(/\s+/g, " ").trim();
        if (/[\p{L}\p{N}]/u.test(said)) list.push({ block: block, lang: lang, text: said, range: range(nodes, cut[0], cut[1]) });
      });
    });
    return list;
  }

  function range(nodes, start, end) {
    var r = document.createRange();
    var first = null;
    var last = null;
    nodes.forEach(function (item) {
      var from = item.start;
      var to = item.start + item.node.data.length;
      if (!first && start < to) { first = item; r.setStart(item.node, Math.max(0, start - from)); }
      if (end > from && end <= to) { last = item; r.setEnd(item.node, end - from); }
    });
    if (!last && nodes.length) { var tail = nodes[nodes.length - 1]; r.setEnd(tail.node, tail.node.data.length); }
    return r;
  }

  function highlight(item) {
    var marked = article.querySelector(".tc-listen-current");
    if (marked) marked.classList.remove("tc-listen-current");
    if (window.CSS && CSS.highlights) CSS.highlights.delete("tc-listen");
    if (!item) return;
    item.block.classList.add("tc-listen-current");
    if (window.CSS && CSS.highlights && typeof window.Highlight === "function") {
      CSS.highlights.set("tc-listen", new window.Highlight(item.range));
    }
    var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    item.block.scrollIntoView({ block: "center", behavior: reduce ? "auto" : "smooth" });
  }

  function show(next, announce) {
    state = next;
    play.textContent = say(next === "playing" ? "pause" : next === "paused" ? "resume" : "play");
    play.setAttribute("aria-pressed", next === "playing" ? "true" : "false");
    stop.disabled = next === "idle";
    if (announce) status.textContent = announce;
  }

  function speak(index) {
    token += 1;
    var mine = token;
    if (index >= queue.length) {
      current = 0;
      highlight(null);
      show("idle", say("done"));
      return;
    }
    current = index;
    var item = queue[index];
    var utterance = new window.SpeechSynthesisUtterance(item.text);
    // Vietnamese in the Vietnamese voice; a part marked in another language (an agency's page in
    // English, Khmer…) in that language's voice when the browser has one, else as the browser chooses.
    var vi = /^vi([-_]|$)/i.test(item.lang);
    utterance.lang = vi ? "vi-VN" : item.lang;
    utterance.voice = vi ? voice : voiceFor(item.lang);
    utterance.rate = parseFloat(rate.value) || 1;
    utterance.onend = function () { if (mine === token && state === "playing") speak(index + 1); };
    utterance.onerror = utterance.onend;
    highlight(item);
    synth.speak(utterance);
  }

  function halt() {
    token += 1; // the cancelled utterance's end event is not a reason to go on
    synth.cancel();
  }

  play.addEventListener("click", function () {
    if (state === "playing") {
      halt();
      show("paused", say("paused"));
      return;
    }
    if (!queue) queue = sentences();
    var from = state === "paused" ? current : 0;
    show("playing", say("playing"));
    speak(from);
  });
  stop.addEventListener("click", function () {
    halt();
    current = 0;
    highlight(null);
    show("idle", say("stopped"));
    play.focus();
  });
  rate.addEventListener("change", function () {
    if (state === "playing") { halt(); speak(current); } // the sentence again, at the new rate
  });
  box.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && state !== "idle") { stop.click(); }
  });
  window.addEventListener("pagehide", function () { if (state !== "idle") halt(); });

  findVoice();
  if (!voice) {
    // Chromium lists its voices only after a first call, and says so with voiceschanged.
    if (typeof synth.addEventListener === "function") synth.addEventListener("voiceschanged", findVoice);
    else synth.onvoiceschanged = findVoice;
  }
})();
