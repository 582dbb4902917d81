/* vaultc: search as Obsidian searches — a page matches when it holds every word of the query,
   anywhere on it. Material's search worker scores each section of a page on its own and joins
   the words with "or", so "Nvidia backlog" listed 67 pages and marked NVDA "Missing: backlog"
   although its Key numbers hold the backlog. Material offers no hook for this (the query
   transform lives inside its worker), so this script, loaded before Material's bundle, wraps the
   Worker constructor and rewrites each result message before Material reads it: a page whose
   sections together lack a word is dropped, and each remaining item is marked with the words its
   page holds. Where the browser has no Worker of its own (the site opened from disk, where
   Material uses its iframe shim), Material's own behaviour stays. */
(function () {
  "use strict";
  var Native = window.Worker;
  if (typeof Native !== "function") { return; }
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

  function Worker(url, options) {
    var worker = new Native(url, options);
    worker.addEventListener("message", function (event) { wholePages(event.data); });
    return worker;
  }
  Worker.prototype = Native.prototype;
  window.Worker = Worker;
})();
