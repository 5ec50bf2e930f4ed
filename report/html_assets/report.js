(function () {
  "use strict";
  // Everything shown comes from the JSON data block and enters the page as text nodes: no
  // innerHTML, no URLs, nothing loaded from anywhere.
  var data = JSON.parse(document.getElementById("tlsready-data").textContent);
  var S = data.strings;
  var ORDER = ["action", "unsupported", "unknown", "ready"];
  var RANK = { action: 0, unsupported: 1, unknown: 2, ready: 3 };

  function L(key, args) {
    var s = Object.prototype.hasOwnProperty.call(data.labels, key) ? data.labels[key] : "{?" + key + "}";
    if (args) {
      Object.keys(args).forEach(function (k) { s = s.split("{" + k + "}").join(String(args[k])); });
    }
    return s;
  }
  function str(i) { return i >= 0 && i < S.length ? S[i] : ""; }
  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === "text") { e.textContent = attrs[k]; } else if (k === "cls") { e.className = attrs[k]; } else { e.setAttribute(k, attrs[k]); }
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) { continue; }
      e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function badge(v, text) { return el("span", { cls: "v " + v, text: text || v }); }

  // Header: title, scope, when, by whom, version, sources.
  var header = document.getElementById("header");
  header.appendChild(el("h1", { text: document.title }));
  var meta = el("p", { cls: "meta" });
  function metaItem(label, value) {
    if (value) { meta.appendChild(el("span", null, el("b", { text: label + ": " }), value)); }
  }
  metaItem(L("html.scope"), data.meta.scope);
  metaItem(L("html.generated"), data.meta.generated + (data.meta.by ? " " + L("html.by") + " " + data.meta.by : ""));
  metaItem(L("html.version"), data.meta.version);
  metaItem(L("html.sources"), (data.meta.sources || []).join(", "));
  header.appendChild(meta);

  var main = document.getElementById("main");
  if (data.mode === "compare") { compare(); } else { fleet(); }

  function tiles(keys, label) {
    var box = el("div", { cls: "tiles", id: "tiles" });
    keys.forEach(function (k) {
      box.appendChild(el("div", { cls: "tile " + k, id: "tile-" + k }, el("span", { cls: "n", text: String(data.counts[k] || 0) }), label(k)));
    });
    return box;
  }

  function chart() {
    var total = 0;
    ORDER.forEach(function (v) { total += data.counts[v] || 0; });
    var w = 420, rowH = 26, s = svg("svg", { "class": "chart", viewBox: "0 0 " + w + " " + (ORDER.length * rowH + 4), role: "img", "aria-label": L("html.chart") });
    var title = svg("title");
    title.textContent = L("html.chart");
    s.appendChild(title);
    var colors = { ready: "#1a7f37", action: "#b35900", unsupported: "#c62828", unknown: "#6a4c93" };
    ORDER.forEach(function (v, i) {
      var n = data.counts[v] || 0, y = i * rowH + 2, bw = total ? Math.round((w - 190) * n / total) : 0;
      var t = svg("text", { x: 0, y: y + 17, "font-size": 13 });
      t.textContent = L("html.verdict." + v);
      s.appendChild(t);
      s.appendChild(svg("rect", { x: 130, y: y + 3, width: Math.max(bw, n ? 2 : 0), height: 18, fill: colors[v], rx: 3 }));
      var c = svg("text", { x: 136 + bw, y: y + 17, "font-size": 13 });
      c.textContent = String(n);
      s.appendChild(c);
    });
    return s;
  }

  function fleet() {
    main.appendChild(el("div", { cls: "summary" }, tiles(ORDER, function (v) { return L("html.verdict." + v); }), chart()));
    main.appendChild(el("h2", { text: L("html.top") }));
    var top = el("ol", { cls: "top", id: "top-actions" });
    data.top.forEach(function (t) {
      top.appendChild(el("li", null, el("span", { cls: "sev " + t.severity, text: t.severity }),
        L(t.hosts === 1 ? "html.top.item1" : "html.top.item", { n: t.hosts, title: t.title }), " ", el("span", { cls: "faq", text: "(" + (t.faq || []).join(", ") + ")" })));
    });
    if (!data.top.length) { top.appendChild(el("li", { text: L("html.top.none") })); }
    main.appendChild(top);
    main.appendChild(el("h2", { text: L("html.table") }));

    var cols = [
      { key: "host", label: L("html.col.host"), val: function (h) { return h.n.toLowerCase(); } },
      { key: "os", label: L("html.col.os"), val: function (h) { return (h.o || "").toLowerCase(); } },
      { key: "verdict", label: L("html.col.verdict"), val: function (h) { return RANK[h.v]; } },
      { key: "todo", label: L("html.col.todo"), val: function (h) { return str(h.t).toLowerCase(); } },
      { key: "error", label: L("html.col.error"), val: function (h) { return h.c || ""; } }
    ];
    var shown = { action: true, unsupported: true, unknown: true, ready: true };
    var controls = el("div", { cls: "controls" }, el("b", { text: L("html.filter") + ":" }));
    ORDER.forEach(function (v) {
      var box = el("input", { type: "checkbox", id: "filter-" + v, "data-verdict": v });
      box.checked = true;
      box.addEventListener("change", function () { shown[v] = box.checked; apply(); });
      controls.appendChild(el("label", null, box, " ", L("html.verdict." + v)));
    });
    var search = el("input", { type: "search", id: "search", placeholder: L("html.search"), "aria-label": L("html.search") });
    search.addEventListener("input", apply);
    controls.appendChild(search);
    var count = el("span", { id: "shown-count", "aria-live": "polite" });
    controls.appendChild(count);
    main.appendChild(controls);

    var thead = el("tr");
    cols.forEach(function (c, i) {
      var b = el("button", { type: "button", text: c.label, "data-col": c.key });
      var th = el("th", { scope: "col", "aria-sort": "none" }, b);
      b.addEventListener("click", function () { sortBy(i, th); });
      thead.appendChild(th);
    });
    var tbody = el("tbody", { id: "hosts" });
    main.appendChild(el("table", { id: "host-table" }, el("thead", null, thead), tbody));

    var rows = data.hosts.map(function (h, i) {
      var btn = el("button", { type: "button", cls: "expand", "aria-expanded": "false", text: "+", title: L("html.expand"), "aria-label": L("html.expand") + " " + h.n });
      var tr = el("tr", { cls: "host-row", "data-host": h.n, "data-verdict": h.v },
        el("td", { cls: "host" }, btn, " ", el("span", { cls: "name", text: h.n })),
        el("td", { cls: "os", text: h.o ? h.o + (h.a ? " (AD)" : "") : "?" }),
        el("td", { cls: "verdict" }, badge(h.v)),
        el("td", { cls: "todo", text: str(h.t) }),
        el("td", { cls: "error", text: h.c || "" }));
      var hay = [h.n, h.o || "", str(h.t), h.c || "", h.m || ""];
      (h.f || []).forEach(function (f) { hay.push(f.i, str(f.t)); });
      var row = { h: h, tr: tr, detail: null, hay: hay.join("\n").toLowerCase(), index: i };
      btn.addEventListener("click", function () { toggle(row, btn); });
      return row;
    });
    rows.forEach(function (r) { tbody.appendChild(r.tr); });
    apply();

    function toggle(row, btn) {
      if (!row.detail) {
        row.detail = el("tr", { cls: "detail", "data-host": row.h.n }, details(row.h));
        row.tr.parentNode.insertBefore(row.detail, row.tr.nextSibling);
        row.detail.hidden = true;
      }
      row.detail.hidden = !row.detail.hidden;
      btn.setAttribute("aria-expanded", String(!row.detail.hidden));
      btn.textContent = row.detail.hidden ? "+" : "\u2212";
    }

    function details(h) {
      var td = el("td", { colspan: String(cols.length) });
      if (h.c) {
        td.appendChild(el("p", { cls: "err" }, el("b", { text: L("html.error") + ": " }), h.c + ": " + (h.m || "")));
      }
      var fs = h.f || [];
      if (!fs.length && !h.c) { td.appendChild(el("p", { text: L("html.no.evidence") })); }
      fs.forEach(function (f) {
        var box = el("div", { cls: "finding", "data-finding": f.i },
          el("h4", null, el("span", { cls: "sev " + f.s, text: f.s }), str(f.t), " ",
            el("span", { cls: "faq", text: f.q && f.q.length ? L("html.faq") + " " + f.q.join(", ") : "" })));
        if (f.d >= 0) { box.appendChild(el("p", { text: str(f.d) })); }
        if (f.e && f.e.length) {
          var et = el("table", { cls: "ev" }, el("thead", null, el("tr", null,
            el("th", { text: L("html.ev.key") + " / " + L("html.ev.file") }), el("th", { text: L("html.ev.view") }),
            el("th", { text: L("html.ev.name") }), el("th", { text: L("html.ev.type") }), el("th", { text: L("html.ev.data") }))));
          var eb = el("tbody");
          f.e.forEach(function (e) {
            eb.appendChild(el("tr", null, el("td", { text: str(e[0]) || str(e[4]) }), el("td", { text: str(e[1]) }),
              el("td", { text: str(e[2]) }), el("td", { text: str(e[3]) }), el("td", { text: String(e[5]) })));
          });
          et.appendChild(eb);
          box.appendChild(el("div", null, el("b", { text: L("html.evidence") })), et);
        }
        if (f.r >= 0) { box.appendChild(el("p", { cls: "fix" }, el("b", { text: L("html.fix") + ": " }), str(f.r))); }
        td.appendChild(box);
      });
      return td;
    }

    var sortState = { col: -1, dir: 1 };
    function sortBy(i, th) {
      sortState.dir = sortState.col === i ? -sortState.dir : 1;
      sortState.col = i;
      Array.prototype.forEach.call(thead.children, function (h) { h.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", sortState.dir > 0 ? "ascending" : "descending");
      var val = cols[i].val;
      rows.sort(function (a, b) {
        var x = val(a.h), y = val(b.h);
        if (x < y) { return -sortState.dir; }
        if (x > y) { return sortState.dir; }
        return a.index - b.index;
      });
      rows.forEach(function (r) {
        tbody.appendChild(r.tr);
        if (r.detail) { tbody.appendChild(r.detail); }
      });
    }

    function apply() {
      var q = search.value.trim().toLowerCase(), n = 0;
      rows.forEach(function (r) {
        var vis = shown[r.h.v] && (!q || r.hay.indexOf(q) >= 0);
        r.tr.hidden = !vis;
        if (r.detail) { r.detail.hidden = !vis || r.tr.querySelector("button.expand").getAttribute("aria-expanded") !== "true"; }
        if (vis) { n++; }
      });
      count.textContent = L("html.shown", { shown: n, total: rows.length });
      count.setAttribute("data-shown", String(n));
    }
  }

  function compare() {
    main.appendChild(el("div", { cls: "summary" }, tiles(data.kinds, function (k) { return L("change." + k); })));
    var controls = el("div", { cls: "controls" });
    var all = el("input", { type: "checkbox", id: "show-unchanged" });
    controls.appendChild(el("label", null, all, " ", L("html.compare.show.unchanged")));
    var search = el("input", { type: "search", id: "search", placeholder: L("html.search"), "aria-label": L("html.search") });
    controls.appendChild(search);
    var count = el("span", { id: "shown-count", "aria-live": "polite" });
    controls.appendChild(count);
    main.appendChild(controls);
    var tbody = el("tbody", { id: "changes" });
    main.appendChild(el("table", { id: "change-table" }, el("thead", null, el("tr", null,
      el("th", { scope: "col", text: L("html.col.host") }), el("th", { scope: "col", text: L("html.col.change") }),
      el("th", { scope: "col", text: L("html.compare.old") }), el("th", { scope: "col", text: L("html.compare.new") }),
      el("th", { scope: "col", text: L("html.col.todo") }))), tbody));
    var rows = data.changes.map(function (c) {
      var tr = el("tr", { cls: "change-row", "data-host": c.n, "data-kind": c.k },
        el("td", { cls: "host", text: c.n }), el("td", { text: L("change." + c.k) }),
        el("td", null, c.o ? badge(c.o) : null), el("td", null, c.w ? badge(c.w) : null), el("td", { text: str(c.t) }));
      tbody.appendChild(tr);
      return { c: c, tr: tr, hay: [c.n, str(c.t)].join("\n").toLowerCase() };
    });
    function apply() {
      var q = search.value.trim().toLowerCase(), n = 0;
      rows.forEach(function (r) {
        var vis = (all.checked || r.c.k !== "unchanged") && (!q || r.hay.indexOf(q) >= 0);
        r.tr.hidden = !vis;
        if (vis) { n++; }
      });
      count.textContent = L("html.shown", { shown: n, total: rows.length });
      count.setAttribute("data-shown", String(n));
    }
    all.addEventListener("change", apply);
    search.addEventListener("input", apply);
    apply();
  }
})();
