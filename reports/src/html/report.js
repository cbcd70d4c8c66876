// xharness HTML report: builds the case matrix from the embedded JSON, filters and
// searches it, and draws a case's details when it is opened. Every text from the
// data goes through textContent, never innerHTML: test output is untrusted.
// State lives in the URL hash: #filter=all|failing|divergent&q=TEXT&case=NAME&group=N
// and, in a report of several suites, &suite=NAME (cases are then named suite::case).
(function () {
  "use strict";
  var CHUNK = 500;
  var LABELS = { pass: "PASS", fail: "FAIL", xfail: "XFAIL", xpass: "XPASS", skip: "SKIP",
    flaky: "FLAKY", error: "ERROR", "not-run": "NOT RUN" };
  var FILTERS = ["all", "failing", "divergent"];
  // One "odd one out: ENGINE" filter per engine that was the odd one out.
  Array.prototype.forEach.call(document.querySelectorAll("#filters .filter"), function (b) {
    if (FILTERS.indexOf(b.dataset.filter) < 0) FILTERS.push(b.dataset.filter);
  });
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var engines = data.engines, cases = data.cases;
  // A report of several suites has a suite column, a suite filter, and names a case
  // suite::case (as its records' groups do).
  var suites = data.suites || [];
  var COLS = engines.length + 1 + (suites.length ? 1 : 0);
  function key(c) { return c.suite ? c.suite + "::" + c.name : c.name; }
  var lower = cases.map(function (c) { return key(c).toLowerCase(); });
  var groups = data.groups || [];
  var state = { filter: "all", q: "", open: "", group: -1, suite: "" };
  var body = document.getElementById("matrix-body");
  var search = document.getElementById("search");
  var shown = [], rendered = 0, observer = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  // Instructions in short: 950, 12.3k, 4.56M, 7.89G.
  function fmtInstr(n) {
    if (typeof n !== "number") return "";
    var units = [[1e9, "G"], [1e6, "M"], [1e3, "k"]];
    for (var i = 0; i < units.length; i++) {
      if (n >= units[i][0]) return (n / units[i][0]).toPrecision(3) + units[i][1];
    }
    return String(n);
  }

  function fmtMs(ms) {
    if (typeof ms !== "number") return "";
    if (ms >= 1000) return (ms / 1000).toFixed(2) + " s";
    return (ms >= 10 ? ms.toFixed(0) : ms.toFixed(1)) + " ms";
  }

  function matches(c, i) {
    if (state.group >= 0 && groups[state.group] &&
        groups[state.group].cases.indexOf(key(c)) < 0) return false;
    if (state.suite && c.suite !== state.suite) return false;
    if (state.filter === "failing" && !c.failing) return false;
    if (state.filter === "divergent" && !c.divergent) return false;
    if (state.filter.indexOf("odd:") === 0 && c.odd !== state.filter.slice(4)) return false;
    return !state.q || lower[i].indexOf(state.q.toLowerCase()) >= 0;
  }

  // ---- URL hash -------------------------------------------------------------------
  function readHash() {
    var p = new URLSearchParams(location.hash.replace(/^#/, ""));
    var f = p.get("filter");
    state.filter = FILTERS.indexOf(f) >= 0 ? f : "all";
    state.q = p.get("q") || "";
    state.open = p.get("case") || "";
    var g = parseInt(p.get("group") || "", 10);
    state.group = g >= 0 && g < groups.length ? g : -1;
    var s = p.get("suite");
    state.suite = suites.indexOf(s) >= 0 ? s : "";
  }

  function writeHash() {
    var p = new URLSearchParams();
    if (state.filter !== "all") p.set("filter", state.filter);
    if (state.q) p.set("q", state.q);
    if (state.open) p.set("case", state.open);
    if (state.group >= 0) p.set("group", String(state.group));
    if (state.suite) p.set("suite", state.suite);
    var h = p.toString();
    if (location.hash.replace(/^#/, "") === h) return;
    try { history.replaceState(null, "", h ? "#" + h : location.pathname + location.search); }
    catch (e) { location.hash = h; }
  }

  // ---- matrix ---------------------------------------------------------------------
  function cell(r, engine, odd) {
    var td;
    if (!r) {
      td = el("td", "cell st-none", "\u2014");
      td.dataset.status = "none";
    } else {
      td = el("td", "cell st-" + r.status, LABELS[r.status] || r.status);
      td.dataset.status = r.status;
      td.appendChild(el("span", "ms", fmtMs(r.ms)));
      if (typeof r.instr === "number") {
        var n = el("span", "instr", fmtInstr(r.instr) + " instr");
        n.dataset.instructions = String(r.instr);
        n.title = r.instr.toLocaleString("en") + " wasm instructions executed";
        td.appendChild(n);
      }
      if (r.reason) td.title = r.reason;
    }
    td.dataset.engine = engine;
    if (odd === engine) {
      td.className += " odd-one-out";
      td.dataset.odd = "true";
      td.title = engine + " differs from the other engines" + (td.title ? ": " + td.title : "");
    }
    return td;
  }

  function row(i) {
    var c = cases[i];
    var tr = el("tr", "case-row" + (c.divergent ? " divergent" : "") + (c.failing ? " failing" : ""));
    tr.dataset.index = i;
    tr.dataset.case = c.name;
    tr.dataset.divergent = c.divergent ? "true" : "false";
    tr.dataset.failing = c.failing ? "true" : "false";
    if (suites.length) {
      tr.dataset.suite = c.suite || "";
      tr.appendChild(el("td", "suite-name", c.suite || ""));
    }
    var th = el("th", "case-name");
    th.scope = "row";
    var b = el("button", "toggle", c.name);
    b.type = "button";
    b.setAttribute("aria-expanded", "false");
    th.appendChild(b);
    if (c.divergent) th.appendChild(el("span", "badge badge-divergent", "divergent"));
    tr.appendChild(th);
    for (var j = 0; j < engines.length; j++) tr.appendChild(cell(c.results[j], engines[j], c.odd));
    return tr;
  }

  function renderMore(upTo) {
    var old = document.getElementById("more-row");
    if (old) old.remove();
    var frag = document.createDocumentFragment();
    var end = Math.min(shown.length, Math.max(upTo, rendered + CHUNK));
    for (; rendered < end; rendered++) frag.appendChild(row(shown[rendered]));
    if (rendered < shown.length) {
      var tr = el("tr", "more-row");
      tr.id = "more-row";
      var td = el("td");
      td.colSpan = COLS;
      var b = el("button", "", "show " + Math.min(CHUNK, shown.length - rendered) + " more (" +
        (shown.length - rendered) + " not shown)");
      b.type = "button";
      b.id = "show-more";
      b.addEventListener("click", function () { renderMore(0); });
      td.appendChild(b);
      tr.appendChild(td);
      frag.appendChild(tr);
      if (observer) { observer.disconnect(); observer.observe(tr); }
    }
    body.appendChild(frag);
  }

  function render() {
    shown = [];
    for (var i = 0; i < cases.length; i++) if (matches(cases[i], i)) shown.push(i);
    body.textContent = "";
    rendered = 0;
    if (!shown.length) {
      var tr = el("tr");
      tr.id = "no-match";
      var td = el("td", "", "No case matches.");
      td.colSpan = COLS;
      tr.appendChild(td);
      body.appendChild(tr);
    } else {
      var openAt = state.open ? shown.indexOf(indexOf(state.open)) : -1;
      renderMore(openAt + 1);
    }
    var count = document.getElementById("shown-count");
    count.textContent = String(shown.length);
    count.dataset.count = String(shown.length);
    var buttons = document.querySelectorAll("#filters .filter");
    for (var k = 0; k < buttons.length; k++) {
      var on = buttons[k].dataset.filter === state.filter;
      buttons[k].classList.toggle("active", on);
      buttons[k].setAttribute("aria-pressed", on ? "true" : "false");
    }
    var suiteButtons = document.querySelectorAll("#suites .suite-filter");
    for (k = 0; k < suiteButtons.length; k++) {
      var mine = suiteButtons[k].dataset.suite === state.suite;
      suiteButtons[k].classList.toggle("active", mine);
      suiteButtons[k].setAttribute("aria-pressed", mine ? "true" : "false");
    }
    if (search.value !== state.q) search.value = state.q;
    markGroups();
    if (state.open) openCase(state.open, false);
  }

  // The index of the case called `name` (suite::case in a report of several suites).
  function indexOf(name) {
    for (var i = 0; i < cases.length; i++) if (key(cases[i]) === name) return i;
    return -1;
  }

  // ---- details --------------------------------------------------------------------
  function rowOf(i) {
    var rows = body.querySelectorAll("tr.case-row");
    for (var k = 0; k < rows.length; k++) if (rows[k].dataset.index === String(i)) return rows[k];
    return null;
  }

  function openCase(name, scroll) {
    var tr = rowOf(indexOf(name));
    if (!tr) return;
    if (!(tr.nextSibling && tr.nextSibling.classList && tr.nextSibling.classList.contains("detail-row"))) toggle(tr);
    if (scroll && tr.getBoundingClientRect().top > window.innerHeight - 100) tr.scrollIntoView({ block: "center" });
  }

  function toggle(tr) {
    var next = tr.nextSibling;
    var b = tr.querySelector("button.toggle");
    var c = cases[Number(tr.dataset.index)];
    if (next && next.classList && next.classList.contains("detail-row")) {
      next.remove();
      b.setAttribute("aria-expanded", "false");
      if (state.open === key(c)) state.open = "";
      return;
    }
    var d = el("tr", "detail-row");
    d.dataset.case = tr.dataset.case;
    if (c.suite) d.dataset.suite = c.suite;
    var td = el("td");
    td.colSpan = COLS;
    td.appendChild(detail(c));
    d.appendChild(td);
    tr.parentNode.insertBefore(d, next);
    b.setAttribute("aria-expanded", "true");
    state.open = key(c);
  }

  function pre(text, cls) { return el("pre", cls || "output", text); }

  function diffPre(text) {
    var p = el("pre", "diff");
    var lines = text.replace(/\n$/, "").split("\n");
    for (var i = 0; i < lines.length; i++) {
      var l = lines[i], cls = "eq";
      if (l.lastIndexOf("--- ", 0) === 0 || l.lastIndexOf("+++ ", 0) === 0) cls = "dh";
      else if (l.lastIndexOf("@@", 0) === 0) cls = "hunk";
      else if (l[0] === "-") cls = "del";
      else if (l[0] === "+") cls = "ins";
      else if (l[0] !== " ") cls = "nt";
      p.appendChild(el("span", cls, l + "\n"));
    }
    return p;
  }

  function outcomeText(r) {
    if (!r.outcome) return "did not run";
    return r.outcome + (r.exit !== undefined && r.exit !== null ? " (" + r.exit + ")" : "");
  }

  function streamText(o) {
    if (!o) return "\u2014";
    return o.digest + " \u00b7 " + o.bytes + " B" + (o.truncated ? " \u00b7 truncated" : "");
  }

  function compareTable(c) {
    var t = el("table", "compare");
    var head = el("tr");
    ["engine", "status", "reason", "outcome", "stdout", "stderr", "instructions", "time"].forEach(function (h) {
      head.appendChild(el("th", "", h));
    });
    t.appendChild(el("thead")).appendChild(head);
    var tb = t.appendChild(el("tbody"));
    var first = null;
    for (var j = 0; j < engines.length; j++) if (c.results[j] && c.results[j].outcome) { first = c.results[j]; break; }
    for (j = 0; j < engines.length; j++) {
      var r = c.results[j], tr = el("tr");
      tr.dataset.engine = engines[j];
      tr.appendChild(el("th", "", engines[j]));
      if (!r) { var none = el("td", "note", "no result"); none.colSpan = 7; tr.appendChild(none); tb.appendChild(tr); continue; }
      var st = el("td", "cell st-" + r.status, LABELS[r.status] || r.status);
      tr.appendChild(st);
      tr.appendChild(el("td", "", r.reason || ""));
      var cells = [[outcomeText(r), first && r.outcome && outcomeText(first) !== outcomeText(r)],
        [streamText(r.stdout), first && r.outcome && streamText(first.stdout) !== streamText(r.stdout)],
        [streamText(r.stderr), first && r.outcome && streamText(first.stderr) !== streamText(r.stderr)],
        [typeof r.instr === "number" ? r.instr.toLocaleString("en") : "\u2014", false, "instructions"],
        [fmtMs(r.ms), false]];
      cells.forEach(function (x) {
        var td = el("td", x[1] ? "differs" : "", x[0]);
        if (x[2]) td.dataset.col = x[2];
        tr.appendChild(td);
      });
      tb.appendChild(tr);
    }
    return t;
  }

  // ---- groups ---------------------------------------------------------------------
  function drawGroups() {
    var sec = document.getElementById("groups");
    if (!sec || !groups.length) return;
    sec.hidden = false;
    var total = groups.reduce(function (n, g) { return n + g.cases.length; }, 0);
    sec.appendChild(el("h2", "", total + (total === 1 ? " failure" : " failures") + " in " +
      groups.length + (groups.length === 1 ? " group" : " groups")));
    var ul = el("ul", "groups");
    groups.forEach(function (g, k) {
      var li = el("li", "group");
      li.dataset.group = String(k);
      li.dataset.count = String(g.cases.length);
      li.tabIndex = 0;
      li.appendChild(el("span", "group-count", g.cases.length));
      li.appendChild(el("code", "group-signature", g.signature));
      li.appendChild(el("span", "group-engines", g.engines.join(", ")));
      ul.appendChild(li);
    });
    sec.appendChild(ul);
    var clear = el("button", "group-clear", "show every group");
    clear.type = "button";
    sec.appendChild(clear);
    sec.addEventListener("click", function (ev) {
      var li = ev.target.closest ? ev.target.closest("li.group") : null;
      if (li) state.group = parseInt(li.dataset.group, 10);
      else if (ev.target.classList.contains("group-clear")) state.group = -1;
      else return;
      writeHash();
      render();
    });
  }

  function markGroups() {
    var items = document.querySelectorAll("#groups li.group");
    for (var k = 0; k < items.length; k++) {
      var on = parseInt(items[k].dataset.group, 10) === state.group;
      items[k].classList.toggle("active", on);
      items[k].setAttribute("aria-pressed", on ? "true" : "false");
    }
  }

  function reproLine(kind, text) {
    var wrap = el("div", "repro-line");
    var p = pre(text, "repro");
    p.dataset.kind = kind;
    wrap.appendChild(el("span", "repro-kind", kind === "cli" ? "repro (cli):" : "repro:"));
    wrap.appendChild(p);
    var b = el("button", "copy", "copy");
    b.type = "button";
    b.addEventListener("click", function () {
      var done = function () { b.textContent = "copied"; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () { b.textContent = "select and copy"; });
      } else {
        b.textContent = "select and copy";
      }
    });
    wrap.appendChild(b);
    return wrap;
  }

  function engineSection(engine, r) {
    var s = el("section", "engine-detail");
    s.dataset.engine = engine;
    s.appendChild(el("h4", "", engine + ": " + (LABELS[r.status] || r.status) +
      (r.reason ? " (" + r.reason + ")" : "") + ", " + fmtMs(r.ms)));
    if (r.expectation) s.appendChild(el("p", "", "expectation: " + r.expectation));
    if (r.signature) s.appendChild(el("p", "signature", "signature: " + r.signature));
    if (r.repro) {
      s.appendChild(reproLine("xharness", r.repro.xharness));
      if (r.repro.cli) s.appendChild(reproLine("cli", r.repro.cli));
      else if (r.repro.cli_missing) s.appendChild(el("p", "note", "no CLI line: " + r.repro.cli_missing));
    }
    if (r.message) s.appendChild(pre(r.message, "message"));
    if (r.detail && r.detail !== r.message) s.appendChild(pre(r.detail, "detail-text"));
    (r.golden_diffs || []).forEach(function (d) { s.appendChild(diffPre(d)); });
    [["stdout", r.stdout], ["stderr", r.stderr]].forEach(function (x) {
      var o = x[1];
      if (!o) return;
      if (typeof o.text === "string") {
        s.appendChild(el("div", "", x[0] + (o.truncated ? " (over max_output: its head and tail, the middle dropped)" : "") + ":"));
        var p = pre(o.text, "output");
        p.dataset.stream = x[0];
        s.appendChild(p);
      } else {
        s.appendChild(el("p", "note", x[0] + ": " + o.bytes + " bytes, digest " + o.digest + " (text not kept)"));
      }
    });
    (r.attempts || []).forEach(function (a, k) {
      s.appendChild(el("div", "", "attempt " + (k + 1) + ": " + (LABELS[a.status] || a.status) +
        (a.reason ? " (" + a.reason + ")" : "") + ", " + fmtMs(a.ms)));
      if (a.detail) s.appendChild(pre(a.detail, "detail-text"));
      (a.golden_diffs || []).forEach(function (d) { s.appendChild(diffPre(d)); });
    });
    return s;
  }

  function detail(c) {
    var div = el("div", "detail");
    div.appendChild(el("h3", "", key(c)));
    div.appendChild(compareTable(c));
    if (c.engine_diffs && c.engine_diffs.length) {
      div.appendChild(el("h4", "", "between engines"));
      c.engine_diffs.forEach(function (d) {
        if (d.diff) div.appendChild(diffPre(d.diff));
        else div.appendChild(el("p", "note", d.stream + ", " + d.from + " vs " + d.to + ": " + d.note));
      });
    }
    for (var j = 0; j < engines.length; j++) if (c.results[j]) div.appendChild(engineSection(engines[j], c.results[j]));
    return div;
  }

  // ---- wiring ---------------------------------------------------------------------
  body.addEventListener("click", function (ev) {
    var tr = ev.target.closest ? ev.target.closest("tr.case-row") : null;
    if (!tr) return;
    if (window.getSelection && String(window.getSelection()) && ev.target.tagName !== "BUTTON") return;
    toggle(tr);
    writeHash();
  });
  document.getElementById("filters").addEventListener("click", function (ev) {
    var b = ev.target.closest ? ev.target.closest(".filter") : null;
    if (!b) return;
    state.filter = b.dataset.filter;
    writeHash();
    render();
  });
  var suiteBar = document.getElementById("suites");
  if (suiteBar) suiteBar.addEventListener("click", function (ev) {
    var b = ev.target.closest ? ev.target.closest(".suite-filter") : null;
    if (!b) return;
    state.suite = b.dataset.suite;
    writeHash();
    render();
  });
  var timer = 0;
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = search.value; writeHash(); render(); }, 120);
  });
  window.addEventListener("hashchange", function () { readHash(); render(); });
  if ("IntersectionObserver" in window) {
    observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) renderMore(0);
    }, { rootMargin: "600px" });
  }
  readHash();
  drawGroups();
  render();
  if (state.open) openCase(state.open, true);
  document.documentElement.dataset.ready = "true";
})();
