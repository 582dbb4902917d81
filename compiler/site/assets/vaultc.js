/* vaultc site script: sortable tables, and the graph views drawn with cytoscape (shipped
   with the site, so everything works offline). The data is graph-data.js (window.VAULTC_GRAPH):
   the global graph draws all of it, a page's local graph its neighbourhood. Node URLs are
   relative to the site root; each graph box says how to get there (data-root). */
(function () {
  "use strict";

  var COLOURS = {
    sector: "#8e24aa", ticker: "#1e88e5", source: "#43a047", layer: "#fb8c00",
    constraint: "#e53935", compare: "#00897b", note: "#757575", attachment: "#a1887f",
    missing: "#bdbdbd"
  };

  function elements(data, root) {
    var out = [];
    data.nodes.forEach(function (node, i) {
      var type = data.types[node[1]];
      out.push({
        data: { id: "n" + i, label: node[0], type: type, colour: COLOURS[type] || "#757575",
                url: node[2] ? root + node[2] : null },
        classes: type + (i === data.focus ? " focus" : "")
      });
    });
    data.edges.forEach(function (edge, k) {
      var spoke = edge[0] === data.focus || edge[1] === data.focus;
      out.push({ data: { id: "e" + k, source: "n" + edge[0], target: "n" + edge[1] },
                 classes: spoke ? "spoke" : (data.focus !== undefined ? "faint" : "") });
    });
    return out;
  }

  // Ink for each of Material's colour schemes (the reader's toggle switches them live).
  var INK = {
    "default": { label: "#444", strong: "#212121", halo: "#fff", edge: "#cfcfcf", spoke: "#9e9e9e",
                 hover: "#616161" },
    "slate": { label: "#c9ccd4", strong: "#f2f3f5", halo: "#1e2129", edge: "#4a4f5c", spoke: "#7d8290",
               hover: "#b0b4be" }
  };

  function scheme() {
    return document.body && document.body.getAttribute("data-md-color-scheme") === "slate" ? "slate" : "default";
  }

  // Every node is sized by its degree; only hubs, the focused page and the hovered node are labelled
  // until the reader zooms in, so a dense vault stays legible.
  function style() {
    var ink = INK[scheme()];
    return [
      { selector: "node", style: {
        "background-color": "data(colour)", "label": "data(label)", "font-size": 7,
        "color": ink.label, "text-valign": "bottom", "text-margin-y": 2, "width": "data(size)",
        "height": "data(size)", "min-zoomed-font-size": 10, "text-wrap": "ellipsis",
        "text-max-width": 160 } },
      { selector: "node.hub, node.hover", style: { "font-size": 11, "min-zoomed-font-size": 5,
        "z-index": 10, "text-background-color": ink.halo, "text-background-opacity": 0.7,
        "text-background-padding": 1 } },
      { selector: "node.missing", style: {
        "opacity": 0.35, "border-width": 1, "border-style": "dashed", "border-color": ink.spoke,
        "background-opacity": 0.3 } },
      { selector: "node.focus", style: {
        "width": 22, "height": 22, "border-width": 3, "border-color": ink.strong, "font-size": 13,
        "font-weight": "bold", "color": ink.strong, "text-max-width": 320 } },
      { selector: "edge", style: {
        "width": 0.6, "line-color": ink.edge, "curve-style": "haystack", "opacity": 0.7 } },
      { selector: "edge.spoke", style: { "line-color": ink.spoke, "width": 1, "z-index": 5 } },
      { selector: "edge.faint", style: { "opacity": 0.25 } },
      { selector: "edge.hover", style: { "line-color": ink.hover, "width": 1.2, "opacity": 1 } },
      { selector: "node:selected", style: { "border-width": 2, "border-color": ink.strong } }
    ];
  }

  // Restyle the drawn graphs when the reader switches the colour scheme.
  if (typeof MutationObserver !== "undefined" && document.body) {
    new MutationObserver(function () {
      document.querySelectorAll(".vaultc-graph").forEach(function (container) {
        if (container.vaultcGraph) {
          container.vaultcGraph.style(style());
          container.setAttribute("data-scheme", scheme());
        }
      });
    }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
  }

  function layout(data, local) {
    if (local) {  // the page in the middle, its neighbours around it
      return { name: "concentric", animate: false, minNodeSpacing: 30, padding: 24,
               concentric: function (n) { return n.hasClass("focus") ? 2 : 1; },
               levelWidth: function () { return 1; } };
    }
    // cose is quadratic: past a few hundred nodes a ring by degree keeps the page responsive.
    if (data.nodes.length > 800) {
      return { name: "concentric", animate: false, concentric: function (n) { return n.degree(); } };
    }
    return { name: "cose", animate: false, randomize: true, numIter: 1500, gravity: 0.3,
             nodeRepulsion: function () { return 600000; }, idealEdgeLength: function () { return 90; },
             edgeElasticity: function () { return 80; }, nodeOverlap: 20, componentSpacing: 120 };
  }

  function draw(container, data, local) {
    var cy = cytoscape({
      container: container, elements: elements(data, container.getAttribute("data-root") || ""),
      style: style(), minZoom: 0.05, maxZoom: 4, wheelSensitivity: 0.25
    });
    var degrees = cy.nodes().map(function (n) { return n.degree(); }).sort(function (a, b) { return b - a; });
    var hub = degrees[Math.min(degrees.length - 1, Math.floor(degrees.length * (local ? 0.3 : 0.08)))];
    cy.nodes().forEach(function (n) {
      n.data("size", 6 + Math.sqrt(n.degree()) * 2.2);
      if (n.degree() >= hub) { n.addClass("hub"); }
    });
    cy.layout(layout(data, local)).run();
    if (cy.zoom() > 1.4) { cy.zoom(1.4); cy.center(); }  // a graph of two nodes needs no magnifying
    cy.on("mouseover", "node", function (event) {
      event.target.addClass("hover");
      event.target.connectedEdges().addClass("hover");
    });
    cy.on("mouseout", "node", function (event) {
      event.target.removeClass("hover");
      event.target.connectedEdges().removeClass("hover");
    });
    cy.on("tap", "node", function (event) {
      var url = event.target.data("url");
      if (url) { window.location.href = url; }
    });
    cy.on("mouseover", "node", function (event) {
      container.style.cursor = event.target.data("url") ? "pointer" : "default";
    });
    cy.on("mouseout", "node", function () { container.style.cursor = "default"; });
    container.setAttribute("data-nodes", String(cy.nodes().length));
    container.setAttribute("data-scheme", scheme());
    container.vaultcGraph = cy;
    return cy;
  }

  function filters(container, cy, data) {
    var box = document.createElement("div");
    box.className = "vaultc-filters";
    data.types.forEach(function (type) {
      var count = cy.nodes("." + type).length;
      if (!count) { return; }
      var label = document.createElement("label");
      var input = document.createElement("input");
      input.type = "checkbox";
      input.checked = true;
      input.value = type;
      input.addEventListener("change", function () {
        cy.nodes("." + type).style("display", input.checked ? "element" : "none");
      });
      var swatch = document.createElement("span");
      swatch.className = "vaultc-swatch";
      swatch.style.backgroundColor = COLOURS[type];
      label.appendChild(input);
      label.appendChild(swatch);
      label.appendChild(document.createTextNode(type + " (" + count + ")"));
      box.appendChild(label);
    });
    container.parentNode.insertBefore(box, container);
  }

  // The page's node, its best-linked neighbours (either direction) and the links among them: the
  // same choice graphdata.py documents (at most data.local neighbours, by degree, then by index).
  function neighbourhood(data, url) {
    var focus = -1;
    data.nodes.forEach(function (node, i) { if (node[2] === url) { focus = i; } });
    if (focus < 0) { return null; }
    var degree = data.nodes.map(function () { return 0; });
    var around = {};
    data.edges.forEach(function (edge) {
      degree[edge[0]] += 1;
      degree[edge[1]] += 1;
      if (edge[0] === focus) { around[edge[1]] = true; }
      if (edge[1] === focus) { around[edge[0]] = true; }
    });
    var chosen = Object.keys(around).map(Number).sort(function (a, b) {
      return degree[b] - degree[a] || a - b;
    }).slice(0, data.local);
    chosen.push(focus);
    chosen.sort(function (a, b) { return a - b; });
    var index = {};
    chosen.forEach(function (old, i) { index[old] = i; });
    return {
      types: data.types,
      nodes: chosen.map(function (old) { return data.nodes[old]; }),
      edges: data.edges.filter(function (e) { return e[0] in index && e[1] in index; })
                       .map(function (e) { return [index[e[0]], index[e[1]]]; }),
      focus: index[focus]
    };
  }

  function script(src) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement("script");
      element.src = src;
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  // The graph library and the vault graph are loaded by the pages that draw a graph, once.
  var graphLibrary = null;

  function graphs() {
    var first = document.querySelector(".vaultc-graph");
    if (!first) { return; }
    if (typeof cytoscape === "undefined" || !window.VAULTC_GRAPH) {
      var assets = (first.getAttribute("data-root") || "") + "vaultc/assets/";
      graphLibrary = graphLibrary || Promise.all([script(assets + "cytoscape.min.js"), script(assets + "graph-data.js")]);
      graphLibrary.then(graphs, function () { graphLibrary = null; });
      return;
    }
    document.querySelectorAll(".vaultc-graph").forEach(function (container) {
      if (container.vaultcGraph) { return; }
      var local = container.classList.contains("vaultc-local");
      var data = local ? neighbourhood(window.VAULTC_GRAPH, container.getAttribute("data-page"))
                       : window.VAULTC_GRAPH;
      if (!data) { return; }
      var cy = draw(container, data, local);
      if (!local) { filters(container, cy, data); }
    });
  }

  function sortBy(table, column, th) {
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var key = function (row) { return row.cells[column] ? row.cells[column].textContent.trim() : ""; };
    var numeric = rows.every(function (row) { var k = key(row); return k === "" || !isNaN(Number(k)); });
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      var order = numeric ? Number(x) - Number(y)
                          : x.localeCompare(y, undefined, { numeric: true, sensitivity: "base" });
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  function tables() {
    // Every table of a page sorts, but the frontmatter panel (marked in its hidden header).
    document.querySelectorAll(".md-content article table").forEach(function (table) {
      // A data attribute, not a class: Material styles only `table:not([class])`.
      if (table.hasAttribute("data-vaultc-sort") || table.querySelector(".vaultc-panel-head") ||
          !table.tHead || !table.tBodies.length || table.tBodies[0].rows.length < 2) { return; }
      table.setAttribute("data-vaultc-sort", "");
      table.querySelectorAll("thead th").forEach(function (th, column) {
        th.tabIndex = 0;
        th.addEventListener("click", function () { sortBy(table, column, th); });
        th.addEventListener("keydown", function (event) {
          if (event.key === "Enter") { sortBy(table, column, th); }
        });
      });
    });
  }

  // The Query page's engine and editor are megabytes: loaded on that page only (query.js).
  function query() {
    var box = document.querySelector(".vaultc-query");
    if (!box || box.getAttribute("data-loaded")) { return; }
    box.setAttribute("data-loaded", "1");
    var script = document.createElement("script");
    script.src = (box.getAttribute("data-root") || "") + "vaultc/assets/query.js";
    document.head.appendChild(script);
  }

  // On a vault page, the navigation marks the index of its type (the page itself is not listed).
  function navigation() {
    var crumb = document.querySelector(".vaultc-crumbs a");
    if (!crumb) { return; }
    document.querySelectorAll(".md-nav--primary .md-nav__link").forEach(function (link) {
      if (link.href === crumb.href) { link.classList.add("md-nav__link--active"); }
    });
  }

  // Hover previews of links to other pages of the site: the target's title and its first
  // paragraph, or the section the link names. Fetched once per page; from file://, where fetch
  // cannot read pages, links stay plain links.
  var previews = {};
  var shown = null;

  function previewOf(doc, hash) {
    var article = doc.querySelector("article");
    if (!article) { return null; }
    var h1 = article.querySelector("h1");
    var title = h1 ? h1.textContent.replace(/¶/g, "").trim() : doc.title;
    var parts = [];
    var start = hash ? doc.getElementById(decodeURIComponent(hash.slice(1))) : null;
    if (start && /^H[1-6]$/.test(start.tagName)) {
      title += " › " + start.textContent.replace(/¶/g, "").trim();
      for (var node = start.nextElementSibling; node && parts.length < 3 && !/^H[1-6]$/.test(node.tagName);
           node = node.nextElementSibling) {
        if (node.textContent.trim()) { parts.push(node.cloneNode(true)); }
      }
    } else {
      var first = Array.prototype.find.call(article.querySelectorAll(":scope > p"), function (p) {
        return !p.closest(".vaultc-tags") && !p.classList.contains("vaultc-tags") && p.textContent.trim().length > 40;
      });
      if (first) { parts.push(first.cloneNode(true)); }
    }
    var box = document.createElement("div");
    box.className = "vaultc-preview";
    var strong = document.createElement("strong");
    strong.textContent = title;
    box.appendChild(strong);
    parts.forEach(function (part) {
      part.querySelectorAll("script, .vaultc-graph, .headerlink").forEach(function (n) { n.remove(); });
      box.appendChild(part);
    });
    return box;
  }

  function hidePreview() {
    if (shown) { shown.remove(); shown = null; }
  }

  function hover() {
    if (location.protocol === "file:" || !window.matchMedia("(hover: hover)").matches) { return; }
    var content = document.querySelector(".md-content");
    if (!content || content.getAttribute("data-previews")) { return; }
    content.setAttribute("data-previews", "1");
    var timer = null;
    content.addEventListener("mouseover", function (event) {
      var link = event.target.closest("a[href]");
      if (!link || link.closest(".vaultc-graph") || link.classList.contains("headerlink")) { return; }
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin || !/\.html$/.test(url.pathname) ||
          url.pathname === location.pathname) { return; }
      clearTimeout(timer);
      timer = setTimeout(function () {
        var page = url.href.split("#")[0];
        previews[page] = previews[page] || fetch(page).then(function (response) {
          return response.ok ? response.text() : Promise.reject(response.status);
        }).then(function (text) { return new DOMParser().parseFromString(text, "text/html"); });
        previews[page].then(function (doc) {
          if (!link.matches(":hover")) { return; }
          hidePreview();
          shown = previewOf(doc, url.hash);
          if (!shown) { return; }
          var rect = link.getBoundingClientRect();
          shown.style.left = Math.max(8, Math.min(rect.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - 430)) + "px";
          shown.style.top = (rect.bottom + window.scrollY + 6) + "px";
          document.body.appendChild(shown);
        }, function () { previews[page] = null; });
      }, 250);
    });
    content.addEventListener("mouseout", function (event) {
      if (event.target.closest("a[href]")) { clearTimeout(timer); hidePreview(); }
    });
  }

  function init() { tables(); graphs(); query(); navigation(); hover(); }

  // Material re-emits document$ on every page when instant navigation is on; plain loads otherwise.
  if (typeof document$ !== "undefined") {
    document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
