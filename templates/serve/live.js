/* arrears serve: reload the page when a rebuild replaced it; show the records' problems over it.
   Served only by `arrears serve`, never part of a built site. */
(function () {
  "use strict";
  var script = document.currentScript;
  var shown = Number(new URL(script.src).searchParams.get("build"));
  var here = window.location.pathname.replace(/^\//, "").replace(/(^|\/)$/, "$1index.html");
  var overlay = null;
  var first = true;

  function stylesheet() {
    if (document.getElementById("arrears-live-css")) { return; }
    var link = document.createElement("link");
    link.id = "arrears-live-css";
    link.rel = "stylesheet";
    link.href = "/__arrears/live.css";
    document.head.appendChild(link);
  }

  function showProblems(problems) {
    if (!problems.length) {
      if (overlay) { overlay.remove(); overlay = null; }
      return;
    }
    stylesheet();
    if (!overlay) {
      overlay = document.createElement("section");
      overlay.id = "arrears-live-problems";
      overlay.setAttribute("role", "alert");
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var title = document.createElement("h2");
    title.textContent = "The records have errors: the cases they are in are left out of the site (arrears check)";
    var list = document.createElement("pre");
    list.textContent = problems.join("\n");
    overlay.appendChild(title);
    overlay.appendChild(list);
  }

  function replaced(state) {
    /* Right after connecting, any newer build may hold a change this page missed. */
    return first || state.changed === null || state.changed.indexOf(here) >= 0;
  }

  function connect() {
    var events = new EventSource("/__arrears/events");
    events.addEventListener("state", function (event) {
      var state = JSON.parse(event.data);
      document.documentElement.setAttribute("data-arrears-live", String(state.build));  /* for tests: connected */
      showProblems(state.problems);
      if (state.build !== shown && replaced(state)) {
        window.location.reload();
        return;
      }
      first = false;
      shown = state.build;
    });
  }

  if (window.EventSource) { connect(); }
})();
