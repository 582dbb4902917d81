/* vaultc Query page (compiler/site/query.py): SPARQL answered in this browser by Oxigraph's
   WebAssembly build, over the vault's graph shipped with the site (vault.trig). YASQE is the
   editor, YASR shows the answers; the canned queries of `vaultc query --list` are the examples.
   Nothing leaves the browser: YASQE's network helpers (prefix.cc, LOV) and share links are off.
   Loaded by vaultc.js on the page that holds the .vaultc-query box. */
(function () {
  "use strict";

  var box = document.querySelector(".vaultc-query");
  if (!box) { return; }
  var root = box.getAttribute("data-root") || "";
  var assets = new URL(root + "vaultc/assets/", document.baseURI).href;
  var status = box.querySelector(".vaultc-query-status");

  function say(text, kind) {
    status.textContent = text;
    status.className = "vaultc-query-status" + (kind ? " vaultc-query-" + kind : "");
  }

  if (location.protocol === "file:") {
    say("This page answers SPARQL with a WebAssembly engine, and browsers load WebAssembly only " +
        "over HTTP, not from a file opened on disk. Serve the site (vaultc serve, or " +
        "python3 -m http.server in the site folder) and open this page from there.", "error");
    return;
  }

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement(tag);
      Object.keys(attributes).forEach(function (name) { element.setAttribute(name, attributes[name]); });
      element.onload = resolve;
      element.onerror = function () { reject(new Error("could not load " + (attributes.src || attributes.href))); };
      document.head.appendChild(element);
    });
  }

  function fetched(name, as) {
    return fetch(assets + name).then(function (response) {
      if (!response.ok) { throw new Error("this site was built without its graph (" + name + ")"); }
      return as === "json" ? response.json() : response.text();
    });
  }

  say("Loading the query engine and the vault's graph…");
  var engine = import(assets + "oxigraph/web.js").then(function (oxigraph) {
    return oxigraph.default({ module_or_path: assets + "oxigraph/web_bg.wasm" }).then(function () {
      return oxigraph;
    });
  });
  Promise.all([
    engine, fetched("query-config.json", "json"), fetched("vault.trig"),
    load("link", { rel: "stylesheet", href: assets + "yasqe.min.css" }),
    load("link", { rel: "stylesheet", href: assets + "yasr.min.css" }),
    load("script", { src: assets + "yasqe.min.js" }),
    load("script", { src: assets + "yasr.min.js" })
  ]).then(function (loaded) {
    start(loaded[0], loaded[1], loaded[2]);
  }).catch(function (error) {
    say("The Query page could not start: " + error.message, "error");
  });

  function start(oxigraph, config, dataset) {
    var store = new oxigraph.Store();
    store.load(dataset, { format: "application/trig", base_iri: config.base });
    var prologue = Object.keys(config.prefixes).map(function (name) {
      return "PREFIX " + name + ": <" + config.prefixes[name] + ">";
    }).join(" ");

    box.innerHTML = "";
    var bar = document.createElement("div");
    bar.className = "vaultc-query-bar";
    var examples = document.createElement("select");
    examples.className = "vaultc-query-examples";
    examples.setAttribute("aria-label", "Example queries");
    examples.appendChild(new Option("Examples…", ""));
    config.canned.forEach(function (canned, i) {
      examples.appendChild(new Option(canned.name + " — " + canned.summary, String(i)));
    });
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-button md-button--primary vaultc-query-run";
    button.textContent = "Run";
    bar.appendChild(examples);
    bar.appendChild(button);
    var editor = document.createElement("div");
    var results = document.createElement("div");
    status = document.createElement("p");
    box.appendChild(bar);
    box.appendChild(editor);
    box.appendChild(status);
    box.appendChild(results);

    var yasqe = new Yasqe(editor, {
      value: config.canned.length ? config.canned[0].query : "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
      persistenceId: null, showQueryButton: false, resizeable: true, editorHeight: "260px",
      autocompleters: [], prefixCcApi: null, createShareableLink: null, consumeShareLink: null,
      syntaxErrorCheck: false, queryingDisabled: undefined
    });
    var yasr = new Yasr(results, { persistenceId: null, prefixes: config.prefixes, defaultPlugin: "table" });

    function run() {
      var text = yasqe.getValue();
      var form = (yasqe.getQueryType() || "SELECT").toUpperCase();
      var graph = form === "CONSTRUCT" || form === "DESCRIBE";
      var format = graph ? "text/turtle" : "application/sparql-results+json";
      var started = performance.now();
      try {
        // the prologue shares the query's first line, so error positions keep their line numbers
        var answer = store.query(prologue + " " + text, {
          base_iri: config.base, results_format: format,
          use_default_graph_as_union: !/\bFROM\b/i.test(text)
        });
        var took = performance.now() - started;
        yasr.setResponse({ data: answer, contentType: format, status: 200, executionTime: took });
        say("Answered in " + Math.round(took) + " ms.");
      } catch (error) {
        yasr.setResponse({ error: { text: String(error.message || error), status: 400 } });
        say("The query did not run: " + (error.message || error), "error");
      }
    }

    examples.addEventListener("change", function () {
      if (examples.value !== "") {
        yasqe.setValue(config.canned[Number(examples.value)].query);
        run();
      }
    });
    button.addEventListener("click", run);
    yasqe.on("keydown", function (instance, event) {
      if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
        event.preventDefault();
        run();
      }
    });

    // A page's IRI in an answer links to the page in this site, not to the IRI itself.
    function relink() {
      results.querySelectorAll("a[href]").forEach(function (link) {
        var url = config.pages[link.getAttribute("href")];
        if (url !== undefined) {
          link.setAttribute("href", root + url);
          link.removeAttribute("target");
        }
      });
    }
    new MutationObserver(relink).observe(results, { childList: true, subtree: true });
    say("Ready: " + store.size + " triples of the vault's graph are loaded.");
  }
})();
