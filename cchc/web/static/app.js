// Progressive enhancement only: every page works without this file.
// The task list refreshes its rows while one types in the search box (and when a filter changes),
// fetching the same page with ?rows=1 and keeping the address bar on the page's stable URL.
(function () {
  "use strict";
  var form = document.getElementById("task-filters");
  var results = document.getElementById("task-results");
  if (!form || !results || !window.fetch || !window.URLSearchParams) { return; }
  var action = form.action.split("?")[0];  // a GET form's own query is replaced by its fields
  var timer = null;
  var latest = 0;
  function refresh() {
    var params = new URLSearchParams(new FormData(form));
    var query = params.toString();
    var ticket = ++latest;
    params.set("rows", "1");
    fetch(action + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null || ticket !== latest) { return; }
        results.innerHTML = html;
        history.replaceState(null, "", action + (query ? "?" + query : ""));
      })
      .catch(function () { /* the form still submits normally */ });
  }
  function later() { clearTimeout(timer); timer = setTimeout(refresh, 250); }
  var box = document.getElementById("q");
  if (box) { box.addEventListener("input", later); }
  form.addEventListener("change", later);
})();
