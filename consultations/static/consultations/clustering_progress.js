// The review screen follows a clustering run over the staff live socket ("clustering.progress" events for this
// draft, in the sentence the server wrote); when the run ends, the page reloads to show the new themes.
(function () {
  "use strict";
  var status = document.querySelector("[data-testid=cluster-status]");
  if (!status || !window.WebSocket) return;
  var draft = status.getAttribute("data-draft");
  var button = document.querySelector("[data-testid=cluster-run]");
  var running = status.getAttribute("data-state") === "queued" || status.getAttribute("data-state") === "running";
  var delay = 1000;

  function show(data) {
    if (data.event !== "clustering.progress" || String(data.payload.draft) !== draft) return;
    var state = data.payload.state;
    status.hidden = false;
    status.setAttribute("data-state", state);
    status.textContent = data.text;
    if (state === "queued" || state === "running") {
      running = true;
      if (button) button.disabled = true;
    } else if (running) {
      running = false;
      setTimeout(function () { window.location.reload(); }, 1200);
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var lang = encodeURIComponent(document.documentElement.lang || "");
    var socket = new WebSocket(scheme + window.location.host + "/ws/live/?lang=" + lang);
    socket.onopen = function () { delay = 1000; };
    socket.onmessage = function (message) { show(JSON.parse(message.data)); };
    socket.onclose = function (event) {
      if (event.code === 4401 || event.code === 4403) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
