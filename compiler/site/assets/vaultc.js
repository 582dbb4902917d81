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
    var degree = data.nodes.map(function () { return 0; });
    data.edges.forEach(function (edge) { degree[edge[0]] += 1; degree[edge[1]] += 1; });
    data.nodes.forEach(function (node, i) {
      var type = data.types[node[1]];
      var element = {
        // sized by degree, in the data from the start: a style mapping to a missing field warns
        data: { id: "n" + i, label: node[0], type: type, colour: COLOURS[type] || "#757575",
                url: node[2] ? root + node[2] : null, size: 6 + Math.sqrt(degree[i]) * 2.2 },
        classes: type + (i === data.focus ? " focus" : "") + (data.rings && data.rings[i] === 2 ? " far" : "")
      };
      if (node.length > 4 && data.focus === undefined) { element.position = { x: node[3], y: node[4] }; }
      out.push(element);
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
  var LABEL_PX = 11;  // labels are drawn this size on screen at every zoom (see labels())

  // Every node is sized by its degree. Labels are placed by labels(): by degree, as many as fit
  // without overlapping, so more appear as the reader zooms in.
  function style() {
    var ink = INK[scheme()];
    return [
      { selector: "node", style: {
        "background-color": "data(colour)", "width": "data(size)", "height": "data(size)",
        "font-family": '"Helvetica Neue", Helvetica, sans-serif', "color": ink.label,
        "text-valign": "bottom", "text-margin-y": 2, "text-wrap": "ellipsis", "text-max-width": 170,
        "font-size": LABEL_PX, "text-background-color": ink.halo, "text-background-opacity": 0.7,
        "text-background-padding": 1, "z-index": 1 } },
      { selector: "node.labelled, node.hover, node.found", style: { "label": "data(label)", "z-index": 10 } },
      { selector: "node.missing", style: {
        "opacity": 0.35, "border-width": 1, "border-style": "dashed", "border-color": ink.spoke,
        "background-opacity": 0.3 } },
      { selector: "node.focus", style: {
        "width": 22, "height": 22, "border-width": 3, "border-color": ink.strong, "label": "data(label)",
        "font-weight": "bold", "color": ink.strong } },
      { selector: "node.found", style: { "border-width": 4, "border-color": "#ffb300" } },
      { selector: "edge", style: {
        "width": 0.6, "line-color": ink.edge, "curve-style": "haystack", "opacity": 0.7 } },
      { selector: "edge.spoke", style: { "line-color": ink.spoke, "width": 1, "z-index": 5 } },
      { selector: "edge.faint", style: { "opacity": 0.25 } },
      { selector: "edge.hover", style: { "line-color": ink.hover, "width": 1.2, "opacity": 1 } },
      { selector: "node:selected", style: { "border-width": 2, "border-color": ink.strong } }
    ];
  }

  // Label the best-linked nodes first, each only where its label overlaps no label already
  // placed (as cytoscape measures it), at a size that does not change with the zoom.
  var LABEL_MAX = 300;  // labels on screen at once: past that a label pass costs more than it shows
  function labels(cy, container) {
    var zoom = cy.zoom();
    var width = container.clientWidth, height = container.clientHeight;
    var placed = [];
    cy.batch(function () {
      cy.nodes().style({ "font-size": LABEL_PX / zoom, "text-max-width": 170 / zoom });
      cy.nodes(".labelled").removeClass("labelled");
    });
    var candidates = cy.nodes().filter(function (node) {
      var at = node.renderedPosition();
      return node.visible() && at.x > -100 && at.x < width + 100 && at.y > -40 && at.y < height + 20;
    }).sort(function (a, b) { return b.degree() - a.degree(); });
    candidates.forEach(function (node) {
      if (placed.length >= LABEL_MAX && !node.hasClass("focus")) { return; }
      node.addClass("labelled");
      var b = node.renderedBoundingBox({ includeNodes: false, includeEdges: false, includeLabels: true });
      var inside = b.w > 0 && b.x1 >= 0 && b.x2 <= width && b.y1 >= 0 && b.y2 <= height;
      var free = inside && placed.every(function (p) {
        return b.x2 <= p.x1 || b.x1 >= p.x2 || b.y2 <= p.y1 || b.y1 >= p.y2;
      });
      if (free || node.hasClass("focus")) {
        placed.push(b);
      } else {
        node.removeClass("labelled");
      }
    });
    container.setAttribute("data-labels", String(placed.length));
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
               concentric: function (n) { return n.hasClass("focus") ? 3 : n.hasClass("far") ? 1 : 2; },
               levelWidth: function () { return 1; } };
    }
    if (data.nodes.length && data.nodes[0].length > 4) {  // placed at build time (graphdata.py)
      return { name: "preset", fit: true, padding: 30 };
    }
    // A vault too big to place at build time: rings by degree, as stable from load to load.
    return { name: "concentric", animate: false, concentric: function (n) { return n.degree(); } };
  }

  function draw(container, data, local) {
    // On a touch screen a swipe over the graph scrolls the page until the reader taps the graph.
    var touch = window.matchMedia("(pointer: coarse)").matches;
    var cy = cytoscape({
      container: container, elements: elements(data, container.getAttribute("data-root") || ""),
      style: style(), minZoom: 0.05, maxZoom: 6, userPanningEnabled: !touch, userZoomingEnabled: !touch,
      layout: { name: "preset" }  // the positions given (cytoscape would lay out a grid over them)
    });
    cy.layout(layout(data, local)).run();
    if (cy.zoom() > 1.4) { cy.zoom(1.4); cy.center(); }  // a graph of two nodes needs no magnifying
    var pending = false;
    function relabel() {
      if (pending) { return; }
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        if (!cy.destroyed()) { labels(cy, container); }  // redrawn at another depth meanwhile
      });
    }
    cy.on("zoom pan resize", relabel);
    container.vaultcRelabel = relabel;
    labels(cy, container);
    cy.on("mouseover", "node", function (event) {
      event.target.addClass("hover");
      event.target.connectedEdges().addClass("hover");
      container.style.cursor = event.target.data("url") ? "pointer" : "default";
    });
    cy.on("mouseout", "node", function (event) {
      event.target.removeClass("hover");
      event.target.connectedEdges().removeClass("hover");
      container.style.cursor = "default";
    });
    cy.on("tap", "node", function (event) {
      var url = event.target.data("url");
      if (url) { window.location.href = url; }
    });
    if (touch) {
      var cover = document.createElement("button");
      cover.type = "button";
      cover.className = "vaultc-graph-cover";
      cover.textContent = "Tap to explore the graph";
      cover.addEventListener("click", function () {
        cover.remove();
        cy.userPanningEnabled(true);
        cy.userZoomingEnabled(true);
      });
      // Beside the graph's box, not in it: cytoscape's own listeners there would take the touches.
      var wrap = outer(container);
      if (wrap === container) {
        wrap = document.createElement("div");
        wrap.className = "vaultc-graph-wrap";
        container.parentNode.insertBefore(wrap, container);
        wrap.appendChild(container);
      }
      wrap.appendChild(cover);
      cy.resize();
    }
    container.setAttribute("data-nodes", String(cy.nodes().length));
    container.setAttribute("data-scheme", scheme());
    container.vaultcGraph = cy;
    return cy;
  }

  // The graph's box, or the wrapper that holds it with its touch-screen cover.
  function outer(container) {
    return container.parentNode.classList.contains("vaultc-graph-wrap") ? container.parentNode : container;
  }

  // Zoom in and out, fit the whole graph, and find a page by its title.
  function controls(container, cy) {
    var bar = document.createElement("div");
    bar.className = "vaultc-graph-controls";
    function button(text, label, act) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "md-button";
      b.textContent = text;
      b.title = label;
      b.setAttribute("aria-label", label);
      b.addEventListener("click", act);
      bar.appendChild(b);
    }
    function zoomBy(factor) {
      cy.zoom({ level: cy.zoom() * factor,
                renderedPosition: { x: container.clientWidth / 2, y: container.clientHeight / 2 } });
    }
    button("+", "Zoom in", function () { zoomBy(1.4); });
    button("−", "Zoom out", function () { zoomBy(1 / 1.4); });
    button("Fit", "Show the whole graph", function () { cy.nodes(".found").removeClass("found"); cy.fit(undefined, 30); });
    var find = document.createElement("input");
    find.type = "search";
    find.className = "vaultc-graph-find";
    find.placeholder = "Find a page…";
    find.setAttribute("aria-label", "Find a page in the graph");
    var list = document.createElement("datalist");
    list.id = "vaultc-graph-pages-" + Math.random().toString(36).slice(2);
    cy.nodes().map(function (n) { return n.data("label"); }).sort().forEach(function (label) {
      list.appendChild(new Option(label));
    });
    find.setAttribute("list", list.id);
    find.addEventListener("change", function () {
      var wanted = find.value.trim().toLowerCase();
      if (!wanted) { return; }
      var hits = cy.nodes().filter(function (n) { return (n.data("label") || "").toLowerCase() === wanted; });
      if (!hits.length) {
        hits = cy.nodes().filter(function (n) { return (n.data("label") || "").toLowerCase().indexOf(wanted) >= 0; });
      }
      cy.nodes(".found").removeClass("found");
      if (!hits.length) { find.setCustomValidity("No page of that name"); find.reportValidity(); return; }
      find.setCustomValidity("");
      var node = hits[0];
      node.addClass("found");
      cy.animate({ center: { eles: node }, zoom: Math.max(cy.zoom(), 1.6) }, { duration: 300 });
    });
    bar.appendChild(find);
    bar.appendChild(list);
    outer(container).parentNode.insertBefore(bar, outer(container));
  }

  // Under a local graph: what its colours mean, and how much of the neighbourhood it shows.
  function legend(container, cy, data) {
    var note = document.createElement("p");
    note.className = "vaultc-graph-note";
    var types = {};
    cy.nodes().forEach(function (n) { types[n.data("type")] = true; });
    Object.keys(types).forEach(function (type) {
      var swatch = document.createElement("span");
      swatch.className = "vaultc-swatch";
      swatch.style.backgroundColor = COLOURS[type];
      note.appendChild(swatch);
      note.appendChild(document.createTextNode(type + " "));
    });
    var shown = data.nodes.length - 1;
    var what = data.depth === 2 ? " pages within two links shown" : " linked pages shown";
    note.appendChild(document.createTextNode("· " + shown + " of " + data.total + what +
      (shown < data.total ? ", the best linked first" : "") + " · depth "));
    [1, 2].forEach(function (depth) {
      var choice = document.createElement("button");
      choice.type = "button";
      choice.className = "vaultc-depth";
      choice.textContent = String(depth);
      choice.setAttribute("aria-pressed", String(depth === data.depth));
      choice.setAttribute("aria-label", "Show pages up to " + depth + " link" + (depth > 1 ? "s" : "") + " away");
      choice.addEventListener("click", function () {
        if (depth === data.depth) { return; }
        container.setAttribute("data-depth", String(depth));
        container.vaultcGraph.destroy();
        container.vaultcGraph = null;
        note.remove();
        var cover = outer(container).querySelector(".vaultc-graph-cover");
        if (cover) { cover.remove(); }
        graphs();
      });
      note.appendChild(choice);
    });
    outer(container).parentNode.insertBefore(note, outer(container).nextSibling);
  }

  // Which nodes show: the ticked types, and, when a layer or constraint is chosen, only it and
  // the pages linked with it.
  function filters(container, cy, data) {
    var box = document.createElement("div");
    box.className = "vaultc-filters";
    var shown = {};
    var around = null;
    function apply() {
      var near = around ? around.closedNeighborhood().nodes() : null;
      cy.batch(function () {
        cy.nodes().forEach(function (node) {
          var visible = shown[node.data("type")] && (!near || near.has(node));
          node.style("display", visible ? "element" : "none");
        });
      });
      if (around) { cy.fit(near, 40); }
      container.vaultcRelabel();
    }
    data.types.forEach(function (type) {
      var count = cy.nodes("." + type).length;
      if (!count) { return; }
      shown[type] = true;
      var label = document.createElement("label");
      var input = document.createElement("input");
      input.type = "checkbox";
      input.checked = true;
      input.value = type;
      input.addEventListener("change", function () {
        shown[type] = input.checked;
        apply();
      });
      var swatch = document.createElement("span");
      swatch.className = "vaultc-swatch";
      swatch.style.backgroundColor = COLOURS[type];
      label.appendChild(input);
      label.appendChild(swatch);
      label.appendChild(document.createTextNode(type + " (" + count + ")"));
      box.appendChild(label);
    });
    var hubs = cy.nodes(".layer, .constraint").sort(function (a, b) {
      return a.data("label").localeCompare(b.data("label"), undefined, { numeric: true });
    });
    if (hubs.length) {
      var select = document.createElement("select");
      select.className = "vaultc-graph-around";
      select.setAttribute("aria-label", "Show one layer or constraint and what links with it");
      select.appendChild(new Option("Every layer and constraint", ""));
      hubs.forEach(function (node) { select.appendChild(new Option(node.data("label"), node.id())); });
      select.addEventListener("change", function () {
        around = select.value ? cy.getElementById(select.value) : null;
        apply();
        if (!around) { cy.fit(undefined, 30); }
      });
      box.appendChild(select);
    }
    outer(container).parentNode.insertBefore(box, outer(container));
  }

  // The page's node, its best-linked neighbours (either direction) and the links among them: the
  // same choice graphdata.py documents (at most data.local neighbours, by degree, then by index);
  // at depth 2 also the best-linked pages those neighbours link with (again at most data.local).
  function neighbourhood(data, url, depth) {
    var focus = -1;
    data.nodes.forEach(function (node, i) { if (node[2] === url) { focus = i; } });
    if (focus < 0) { return null; }
    var degree = data.nodes.map(function () { return 0; });
    var links = data.nodes.map(function () { return []; });
    data.edges.forEach(function (edge) {
      degree[edge[0]] += 1;
      degree[edge[1]] += 1;
      links[edge[0]].push(edge[1]);
      links[edge[1]].push(edge[0]);
    });
    function best(candidates) {
      return candidates.sort(function (a, b) { return degree[b] - degree[a] || a - b; }).slice(0, data.local);
    }
    var ring = {};  // node -> 1 (a neighbour) or 2 (a neighbour's neighbour)
    links[focus].forEach(function (n) { if (n !== focus) { ring[n] = 1; } });
    var first = best(Object.keys(ring).map(Number));
    var total = Object.keys(ring).length;
    var chosen = first.slice();
    if (depth === 2) {
      var second = {};
      first.forEach(function (n) {
        links[n].forEach(function (m) { if (m !== focus && !(m in ring)) { second[m] = true; } });
      });
      var seconds = Object.keys(second).map(Number);
      total += seconds.length;
      seconds = best(seconds);
      seconds.forEach(function (m) { ring[m] = 2; });
      chosen = chosen.concat(seconds);
    }
    chosen.push(focus);
    chosen.sort(function (a, b) { return a - b; });
    var index = {};
    chosen.forEach(function (old, i) { index[old] = i; });
    return {
      types: data.types,
      nodes: chosen.map(function (old) { return data.nodes[old]; }),
      rings: chosen.map(function (old) { return old === focus ? 0 : ring[old]; }),
      edges: data.edges.filter(function (e) { return e[0] in index && e[1] in index; })
                       .map(function (e) { return [index[e[0]], index[e[1]]]; }),
      focus: index[focus],
      total: total,
      depth: depth
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
      var depth = Number(container.getAttribute("data-depth") || 1);
      var data = local ? neighbourhood(window.VAULTC_GRAPH, container.getAttribute("data-page"), depth)
                       : window.VAULTC_GRAPH;
      if (!data) { return; }
      if (local && !container.classList.contains("vaultc-in-sidebar")) { beside(container); }
      var cy = draw(container, data, local);
      if (local) {
        legend(container, cy, data);
      } else {
        filters(container, cy, data);
        controls(container, cy);
      }
    });
  }

  // Where Material shows the table of contents beside the page, the local graph goes under it,
  // in view while the page is read; on narrower screens it stays at the end of the page.
  function beside(container) {
    var sidebar = document.querySelector(".md-sidebar--secondary");
    if (!sidebar || !window.matchMedia("(min-width: 76.25em)").matches) { return; }
    var inner = sidebar.querySelector(".md-sidebar__inner") || sidebar;
    var box = document.createElement("div");
    box.className = "vaultc-beside";
    var title = document.createElement("p");
    title.className = "vaultc-beside-title";
    title.textContent = "Local graph";
    box.appendChild(title);
    var heading = document.getElementById("local-graph");
    box.appendChild(container);
    inner.appendChild(box);
    container.classList.add("vaultc-in-sidebar");
    if (heading) {  // the section is empty now, and so is its entry in the contents
      heading.hidden = true;
      document.querySelectorAll('.md-nav__link[href="#local-graph"]').forEach(function (link) {
        link.parentElement.hidden = true;
      });
    }
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
