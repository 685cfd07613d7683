"""The stylesheet and script inlined into every step-by-step page (see ``page.py``).

The script reads ``DATA`` (written by ``page._page_data``): ``steps[k-1]`` is
the box processed at step k and its description; ``visits`` gives the first
and last step at which each box is processed, ``known`` the step at which its
gradient is complete; ``edges`` say when the gradient along each edge is
complete; ``rows`` list the completed gradients, one per step. It only toggles CSS
classes on the SVG that Graphviz wrote (CSS rules override SVG presentation
attributes), so the picture itself is never re-drawn.
"""

CSS = r"""
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;
  margin:0;color:#222;background:#fafafa}
header{padding:12px 20px 2px}
h1{font-size:20px;margin:0;overflow-wrap:anywhere}
h2{font-size:14px;margin:14px 0 6px}
.sub{color:#555;margin:4px 0 0;max-width:75em}
.controls{position:sticky;top:0;z-index:2;background:#fafafa;padding:8px 20px;
  display:flex;gap:6px;align-items:center;border-bottom:1px solid #e3e3e3}
button{font-size:14px;padding:4px 10px;border:1px solid #bbb;border-radius:5px;
  background:#fff;cursor:pointer;min-width:2.4em}
button:hover{background:#f0f0f0}
#slider{flex:1;min-width:120px}
#counter{min-width:9em;font-variant-numeric:tabular-nums;color:#444}
.fit{color:#555;font-size:13px;white-space:nowrap}
main{display:flex;gap:16px;padding:12px 20px;align-items:flex-start}
.graph{flex:1 1 auto;min-width:0;overflow:auto;background:#fff;border:1px solid #e3e3e3;
  border-radius:6px;max-height:calc(100vh - 130px)}
.graph.fitted svg{max-width:100%;height:auto}
aside{flex:0 0 360px;max-height:calc(100vh - 130px);overflow:auto}
.now{background:#fff;border:1px solid #e3e3e3;border-left:4px solid #ff8c00;
  border-radius:6px;padding:10px 12px;min-height:7em;overflow-wrap:anywhere}
.now .step{font-weight:600;color:#b35900;margin:0 0 4px}
.now p{margin:0 0 6px}
.now .rule{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px;
  background:#f6f3ea;border-radius:4px;padding:3px 6px}
.now .bcast{color:#6a3d00;font-size:13px}
.now .hint{color:#777;font-size:12.5px}
.scope,.shape{color:#666;font-size:12.5px}
code{font-size:12.5px;background:#f3f3f3;padding:0 3px;border-radius:3px}
.known table{border-collapse:collapse;width:100%;font-size:12.5px;background:#fff}
th,td{text-align:left;padding:2px 6px;border-bottom:1px solid #eee;overflow-wrap:anywhere}
th{color:#555;font-weight:600}
tr.new{background:#fff1d6}
tr[data-step]{cursor:pointer}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;
  vertical-align:-1px}
svg .node{cursor:default}
svg .node.visitable{cursor:pointer}
svg .node.current polygon,svg .node.current path,svg .node.current ellipse{
  stroke:#ff8c00;stroke-width:4px}
svg .node.current{filter:drop-shadow(0 0 5px rgba(255,140,0,.85))}
svg .node.todo{opacity:.5}
svg .edge.pending path{stroke:#dadada;stroke-width:1px}
svg .edge.pending polygon{stroke:#dadada;fill:#dadada}
svg .edge.flowing path{stroke:#ff8c00;stroke-width:3px;stroke-dasharray:7 5;
  animation:flow .7s linear infinite}
svg .edge.flowing polygon{fill:#ff8c00;stroke:#ff8c00}
@keyframes flow{to{stroke-dashoffset:12}}
@media (max-width:900px){main{flex-direction:column}aside{flex:none;width:100%}}
"""

SCRIPT = r"""
(function () {
  "use strict";
  var S = DATA.steps, N = S.length;
  var graph = document.getElementById("graph");
  var svg = graph.querySelector("svg");
  var slider = document.getElementById("slider");
  var counter = document.getElementById("counter");
  var now = document.getElementById("now");
  var rowsEl = document.getElementById("rows");
  var playBtn = document.getElementById("play");
  var cur = 0, timer = null, hashTimer = null;
  // A gradient's first line starts with "grad " ("grad [..]", "grad norm .."); its further lines
  // (a matrix, row by row) follow in the same colour (see labels.py). Names are bold: a
  // tensor named "grad x" is not a gradient.
  var isGrad = function (t) {
    return t.getAttribute("font-weight") !== "bold" && /^grad\s/.test(t.textContent.trim());
  };
  function gradTexts(el) {
    var out = [], colour = null;
    el.querySelectorAll("text").forEach(function (t) {
      var fill = t.getAttribute("fill");
      if (isGrad(t)) { colour = fill; out.push(t); }
      else if (colour !== null && fill === colour) out.push(t);
      else colour = null;
    });
    return out;
  }

  var boxes = {};
  svg.querySelectorAll("g.node").forEach(function (el) {
    var texts = gradTexts(el);
    boxes[el.id] = {el: el, grads: texts};
    var v = DATA.visits[el.id];
    if (v) {
      el.classList.add("visitable");
      el.addEventListener("click", function () { stop(); show(v[0]); });
    }
  });
  var edges = [];
  Object.keys(DATA.edges).forEach(function (id) {
    var el = document.getElementById(id);
    if (el) edges.push({el: el, d: DATA.edges[id]});
  });

  function show(s) {
    cur = Math.max(0, Math.min(N, s));
    var step = cur > 0 ? S[cur - 1] : null;
    var box = step ? step.box : null;
    Object.keys(boxes).forEach(function (id) {
      var b = boxes[id], v = DATA.visits[id], k = DATA.known[id];
      b.el.classList.toggle("current", id === box ||
        (!step && !!DATA.start && id === DATA.start.box));
      b.el.classList.toggle("todo", !!v && v[0] > cur);
      var hide = k !== undefined && k > cur;
      b.grads.forEach(function (t) { t.style.visibility = hide ? "hidden" : ""; });
    });
    edges.forEach(function (e) {
      var pending = e.d.known !== null && e.d.known > cur;
      var flowing = !!step && step.kind === "op" && e.d.to === box && !e.d.none;
      e.el.classList.toggle("pending", pending && !flowing);
      e.el.classList.toggle("flowing", flowing);
    });
    slider.value = cur;
    counter.textContent = "step " + cur + " / " + N;
    if (step) {
      now.innerHTML = '<p class="step">Step ' + cur + " of " + N + "</p><p>" + step.text + "</p>" +
        (step.rule ? '<p class="rule">Rule: ' + step.rule + "</p>" : "") +
        (step.notes || []).map(function (n) { return '<p class="bcast">' + n + "</p>"; }).join("");
    } else if (DATA.start) {
      now.innerHTML = '<p class="step">Step 0 of ' + N + ": the output</p><p>" +
        DATA.start.text + '</p><p class="hint">Press \u25B6 or use the arrow keys.</p>';
    } else {
      now.innerHTML = '<p class="step">Before the backward pass</p><p>The forward pass ' +
        "built this graph. Backward starts at the output, whose gradient is 1 (or the " +
        "<code>gradient</code> given to <code>backward</code>), and visits every op once " +
        "all the gradient of its output has arrived. Press \u25B6 or use the arrow keys.</p>";
    }
    rowsEl.textContent = "";
    var shown = 0, MAX_ROWS = 300;            // a long table would slow every step
    for (var i = Math.min(cur, DATA.rows.length) - 1; i >= 0; i--) {
      var r = DATA.rows[i];
      if (shown === MAX_ROWS) {
        var more = document.createElement("tr"), cell = document.createElement("td");
        cell.colSpan = 4; cell.textContent = "\u2026 " + (i + 1) + " earlier steps";
        more.appendChild(cell); rowsEl.appendChild(more);
        break;
      }
      shown++;
      var tr = document.createElement("tr");
      tr.dataset.step = r[0];
      if (r[0] === cur) tr.className = "new";
      [r[0], r[1], r[2]].forEach(function (x) {
        var td = document.createElement("td"); td.textContent = x; tr.appendChild(td);
      });
      var td = document.createElement("td"), sw = document.createElement("span");
      sw.className = "sw"; sw.style.background = r[4];
      td.appendChild(sw); td.appendChild(document.createTextNode(r[3]));
      tr.appendChild(td);
      rowsEl.appendChild(tr);
    }
    if (box && boxes[box]) reveal(boxes[box].el);
    // The step goes into the address once stepping pauses: browsers throttle (and
    // complain about) more than a few replaceState calls a second, as when an arrow
    // key is held down.
    clearTimeout(hashTimer);
    hashTimer = setTimeout(function () {
      try { history.replaceState(null, "", "#step=" + cur); } catch (err) { /* srcdoc */ }
    }, 300);
  }

  // Scroll the drawing (not the page) so that the current box is in view.
  function reveal(el) {
    var g = graph.getBoundingClientRect(), r = el.getBoundingClientRect(), m = 40;
    if (r.top < g.top + m || r.bottom > g.bottom - m) {
      graph.scrollTop += (r.top + r.bottom) / 2 - (g.top + g.bottom) / 2;
    }
    if (r.left < g.left + m || r.right > g.right - m) {
      graph.scrollLeft += (r.left + r.right) / 2 - (g.left + g.right) / 2;
    }
  }

  function stop() {
    if (timer) { clearInterval(timer); timer = null; playBtn.textContent = "\u25B6 play"; }
  }
  function play() {
    if (timer) { stop(); return; }
    if (cur >= N) show(0);
    playBtn.textContent = "\u275A\u275A pause";
    timer = setInterval(function () { if (cur >= N) stop(); else show(cur + 1); }, 900);
  }
  document.getElementById("first").onclick = function () { stop(); show(0); };
  document.getElementById("prev").onclick = function () { stop(); show(cur - 1); };
  document.getElementById("next").onclick = function () { stop(); show(cur + 1); };
  document.getElementById("last").onclick = function () { stop(); show(N); };
  playBtn.onclick = play;
  slider.oninput = function () { stop(); show(+slider.value); };
  rowsEl.onclick = function (ev) {
    var tr = ev.target.closest("tr");
    if (tr && tr.dataset.step) { stop(); show(+tr.dataset.step); }
  };
  document.getElementById("fit").onchange = function (ev) {
    graph.classList.toggle("fitted", ev.target.checked);
  };
  document.addEventListener("keydown", function (ev) {
    if (ev.target.tagName === "INPUT" && ev.target.type !== "checkbox") return;
    if (ev.key === "ArrowRight") { stop(); show(cur + 1); }
    else if (ev.key === "ArrowLeft") { stop(); show(cur - 1); }
    else if (ev.key === "Home") { stop(); show(0); }
    else if (ev.key === "End") { stop(); show(N); }
    else if (ev.key === " ") { ev.preventDefault(); play(); }
    else return;
  });
  var m = /step=(\d+)/.exec(location.hash);
  show(m ? +m[1] : 0);
})();
"""
