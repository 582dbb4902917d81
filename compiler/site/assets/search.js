/* vaultc: search as Obsidian searches — a page matches when it holds every word of the query,
   anywhere on it. Material's search worker scores each section of a page on its own and joins
   the words with "or", so "Nvidia backlog" listed 67 pages and marked NVDA "Missing: backlog"
   although its Key numbers hold the backlog. Material offers no hook for this (the query
   transform lives inside its worker), so this script, loaded before Material's bundle, wraps the
   Worker constructor and rewrites each result message before Material reads it: a page whose
   sections together lack a word is dropped, and each remaining item is marked with the words its
   page holds. */
(function () {
  "use strict";
  var Native = window.Worker;
  var RESULT = 3; // Material's SearchMessageType.RESULT

  function wholePages(message) {
    if (!message || message.type !== RESULT || !message.data || !Array.isArray(message.data.items)) { return; }
    message.data.items = message.data.items.filter(function (page) {
      var held = {};
      page.forEach(function (item) {
        Object.keys(item.terms || {}).forEach(function (word) { held[word] = held[word] || !!item.terms[word]; });
      });
      var words = Object.keys(held);
      if (words.some(function (word) { return !held[word]; })) { return false; }
      page.forEach(function (item) { item.terms = Object.assign({}, held); });
      return true;
    });
  }

  function wrapped(Base) {
    if (typeof Base !== "function" || Base.vaultcWrapped) { return Base; }
    function Worker(url, options) {
      var worker = new Base(url, options);
      worker.addEventListener("message", function (event) { wholePages(event.data); });
      return worker;
    }
    Worker.prototype = Base.prototype;
    Worker.vaultcWrapped = true;
    return Worker;
  }

  // From file:// Material's bundle puts its iframe shim in the Worker's place: that one is
  // wrapped as it is set, so search reads the same either way.
  var current = wrapped(Native);
  Object.defineProperty(window, "Worker", {
    configurable: true,
    get: function () { return current; },
    set: function (value) { current = wrapped(value); }
  });
})();
