(function () {
  "use strict";
  // The table is already in the page; this script adds sorting, filtering and the details of
  // each host. Host data comes from the JSON block and enters the page as text only
  // (createElement, textContent): no HTML parsing of data, no URLs, nothing from the network.
  var block = document.getElementById("tlsready-data");
  var table = document.querySelector("table.hosts");
  if (!block || !table) { return; }
  var data = JSON.parse(block.textContent);
  var labels = data.labels || {};
  var S = data.s || [];
  var has = function (o, k) { return Object.prototype.hasOwnProperty.call(o, k); };
  var VERDICTS = ["action", "unsupported", "unknown", "ready"]; // attention first, as rendered
  var SEVERITIES = ["unsupported", "action", "unknown", "warning", "info"];
  var CATEGORIES = ["unreachable", "timeout", "auth", "winrm", "collector"];
  var KINDS = ["regressed", "newly-unreachable", "fixed", "reached", "changed", "new", "gone", "unchanged"];

  function L(key, args) {
    var s = has(labels, key) ? labels[key] : key;
    if (!args) { return s; }
    return s.replace(/\{(\w+)\}/g, function (m, k) { return has(args, k) ? String(args[k]) : m; });
  }
  // A text is an index into the string table, or an array of indexes of its parts.
  function part(i) { return typeof i === "number" && i >= 0 && i < S.length ? S[i] : ""; }
  function str(t) { return Array.isArray(t) ? t.map(part).join("") : part(t); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) { continue; }
      parent.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return parent;
  }
  function known(list, v) { return list.indexOf(v) >= 0 ? v : "other"; }

  var fleet = data.mode === "fleet";
  var tbody = table.tBodies[0];
  var ncols = table.tHead.rows[0].cells.length;
  var details = fleet && Array.isArray(data.hosts) && data.hosts.length === tbody.rows.length ? data.hosts : null;
  // byIndex is in the page's first order, which data-row numbers refer to; rows is in the order
  // shown.
  var byIndex = Array.prototype.map.call(tbody.rows, function (tr, i) {
    return { tr: tr, index: i, group: tr.className, d: details ? details[i] : null, detail: null, open: false, hay: "" };
  });
  var rows = byIndex.slice();

  // Search text of each row: its cells, its verdict or kind, finding ids, the error message.
  rows.forEach(function (r) {
    var parts = [r.tr.textContent, r.group];
    if (r.d) {
      (r.d.f || []).forEach(function (fi) { var f = (data.f || [])[fi]; if (f) { parts.push(f.i); } });
      if (r.d.m) { parts.push(r.d.m); }
    }
    r.hay = parts.join("\n").toLowerCase();
  });

  // Host names become buttons that open the host's evidence and fix.
  if (details) {
    rows.forEach(function (r) {
      var cell = r.tr.cells[0];
      var b = el("button", "x", cell.textContent);
      b.type = "button";
      b.setAttribute("aria-expanded", "false");
      b.setAttribute("aria-label", L("detail.expand", { host: cell.textContent }));
      b.setAttribute("data-row", String(r.index));
      cell.textContent = "";
      cell.appendChild(b);
    });
    tbody.addEventListener("click", function (ev) {
      var b = ev.target.closest ? ev.target.closest("button.x") : null;
      if (!b || !tbody.contains(b)) { return; }
      toggle(byIndex[Number(b.getAttribute("data-row"))], b);
    });
  }

  function toggle(r, b) {
    if (!r) { return; }
    if (!r.detail) {
      r.detail = el("tr", "detail");
      var td = el("td");
      td.colSpan = ncols;
      render(td, r.d);
      r.detail.appendChild(td);
      r.tr.parentNode.insertBefore(r.detail, r.tr.nextSibling);
    }
    r.open = !r.open;
    r.detail.hidden = !r.open || r.tr.hidden;
    b.setAttribute("aria-expanded", String(r.open));
  }

  function render(td, h) {
    if (h.c || h.m) {
      var cat = h.c || "";
      var box = add(el("div", "err"), el("h3", null, L("detail.error")));
      var p = add(el("p"), el("b", null, L("detail.category") + ": "), cat);
      if (CATEGORIES.indexOf(cat) >= 0) { add(p, " \u2014 " + L("err." + cat)); }
      add(box, p, add(el("p"), el("b", null, L("detail.message") + ": "), h.m || ""));
      td.appendChild(box);
    }
    if (h.w) {
      // How the host was read: over WMI, or by the collector in a shell (evidence of its source).
      td.appendChild(add(el("p", "method"), el("b", null, L("detail.method") + ": "),
        has(labels, "method." + h.w) ? L("method." + h.w) : String(h.w)));
    }
    var fs = h.f || [];
    if (!fs.length && !h.c && !h.m) { td.appendChild(el("p", "none", L("detail.none"))); }
    fs.forEach(function (fi) {
      var f = (data.f || [])[fi];
      if (!f) { return; }
      var sev = known(SEVERITIES, f.s);
      var box = el("div", "finding");
      box.setAttribute("data-finding", f.i);
      var head = add(el("h3"), el("span", "sev " + sev, has(labels, "sev." + sev) ? L("sev." + sev) : f.s), " ", str(f.t));
      if (f.q) { add(head, " ", el("span", "faq", "(" + L("detail.faq") + " " + f.q.split(" ").join(", ") + ")")); }
      box.appendChild(head);
      if (str(f.d)) { box.appendChild(el("p", null, str(f.d))); }
      if (f.e && f.e.length) {
        var t = el("table", "ev");
        var hr = el("tr");
        ["ev.where", "ev.view", "ev.name", "ev.type", "ev.value"].forEach(function (k) {
          var th = el("th", null, L(k));
          th.scope = "col";
          hr.appendChild(th);
        });
        add(t, add(el("thead"), hr));
        var tb = el("tbody");
        f.e.forEach(function (ei) {
          var e = (data.e || [])[ei];
          if (!e) { return; }
          var tr = el("tr");
          for (var k = 0; k < 5; k++) { tr.appendChild(el("td", null, str(e[k]))); }
          tb.appendChild(tr);
        });
        t.appendChild(tb);
        add(box, el("div", "evh", L("detail.evidence")), t);
      }
      if (str(f.r)) { box.appendChild(add(el("p", "fix"), el("b", null, L("detail.fix") + ": "), str(f.r))); }
      td.appendChild(box);
    });
  }

  // The contradiction banner links to host rows: show the row even when a filter hides it,
  // bring it into view and open its evidence.
  var banner = document.getElementById("contradictions");
  if (banner) {
    banner.addEventListener("click", function (ev) {
      var a = ev.target.closest ? ev.target.closest("a[data-row]") : null;
      if (!a || !banner.contains(a)) { return; }
      var r = byIndex[Number(a.getAttribute("data-row"))];
      if (!r) { return; }
      ev.preventDefault();
      if (r.tr.hidden) {
        boxes.forEach(function (b) { b.checked = true; });
        if (search) { search.value = ""; }
        apply();
      }
      var b = r.tr.querySelector("button.x");
      if (b && !r.open) { toggle(r, b); }
      r.tr.scrollIntoView({ block: "start" });
      if (b) { b.focus({ preventScroll: true }); }
      try { history.replaceState(null, "", "#" + r.tr.id); } catch (e) { /* a file:// page may refuse: the row is shown anyway */ }
    });
  }

  // Sorting: a click on a column heading sorts by it, a second click reverses.
  var collator = new Intl.Collator(document.documentElement.lang || undefined, { numeric: true, sensitivity: "base" });
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var sorted = { col: -1, dir: 1 };
  heads.forEach(function (th, i) {
    if (th.getAttribute("aria-sort") === "ascending") { sorted.col = i; }
    var b = th.querySelector("button");
    if (b) { b.addEventListener("click", function () { sortBy(i); }); }
  });
  function verdictOf(r, cell) {
    for (var i = 0; i < VERDICTS.length; i++) {
      if (cell.classList.contains(VERDICTS[i])) { return i; }
    }
    var v = VERDICTS.indexOf(r.group);
    return v >= 0 && fleet ? v : VERDICTS.length;
  }
  function sortBy(col) {
    sorted.dir = sorted.col === col ? -sorted.dir : 1;
    sorted.col = col;
    var type = heads[col].querySelector("button").getAttribute("data-sort");
    var keyed = rows.map(function (r) {
      var cell = r.tr.cells[col];
      var k;
      if (type === "verdict") { k = verdictOf(r, cell); } else if (type === "kind") { k = KINDS.indexOf(r.group); } else { k = cell.textContent; }
      return { r: r, k: k };
    });
    keyed.sort(function (a, b) {
      // Ties keep the page's first order (attention first, then host), in either direction.
      var c = typeof a.k === "number" ? a.k - b.k : collator.compare(a.k, b.k);
      return c !== 0 ? c * sorted.dir : a.r.index - b.r.index;
    });
    var frag = document.createDocumentFragment();
    rows = keyed.map(function (x) {
      frag.appendChild(x.r.tr);
      if (x.r.detail) { frag.appendChild(x.r.detail); }
      return x.r;
    });
    tbody.appendChild(frag);
    heads.forEach(function (th, i) {
      if (i === col) { th.setAttribute("aria-sort", sorted.dir > 0 ? "ascending" : "descending"); } else { th.removeAttribute("aria-sort"); }
    });
  }

  // group writes a count with thousands separators, as the page's own counts are.
  function group(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }

  // Filtering: by verdict (or kind of change) and by words; the count follows.
  var controls = document.getElementById("controls");
  var boxes = Array.prototype.slice.call(document.querySelectorAll("#controls input.filter"));
  var search = document.getElementById("search");
  var count = document.getElementById("shown-count");
  // A row whose verdict (or kind) has no checkbox (a word this page does not know) is always
  // shown.
  var filtered = {};
  boxes.forEach(function (b) { filtered[b.value] = true; });
  function apply() {
    var on = {};
    boxes.forEach(function (b) { if (b.checked) { on[b.value] = true; } });
    var words = search ? search.value.toLowerCase().split(/\s+/).filter(Boolean) : [];
    var n = 0;
    rows.forEach(function (r) {
      var vis = (!has(filtered, r.group) || on[r.group] === true) && words.every(function (w) { return r.hay.indexOf(w) >= 0; });
      r.tr.hidden = !vis;
      if (r.detail) { r.detail.hidden = !vis || !r.open; }
      if (vis) { n++; }
    });
    if (count) {
      count.textContent = L("shown", { shown: group(n), total: group(rows.length) });
      count.setAttribute("data-shown", String(n));
    }
  }
  boxes.forEach(function (b) { b.addEventListener("change", apply); });
  if (search) { search.addEventListener("input", apply); }
  if (controls) { controls.hidden = false; }
  apply();
})();
