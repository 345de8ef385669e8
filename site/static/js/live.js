// The staff live panel: on connection the latest events the viewer may see, then each event as it arrives,
// as the sentence the server wrote in the page's language, with its time and a link (core.events.as_message).
(function () {
  "use strict";
  var list = document.querySelector("[data-live-events]");
  var status = document.querySelector("[data-live-status]");
  if (!list || !status) return;
  var empty = document.querySelector("[data-live-empty]");
  var seen = {};
  var LIMIT = 30;
  var delay = 1000;

  function item(data) {
    var li = document.createElement("li");
    li.setAttribute("data-testid", "live-event");
    if (data.level) li.className = "level-" + data.level;
    if (data.event) li.setAttribute("data-event", data.event);
    var time = document.createElement("time");
    if (data.at) time.setAttribute("datetime", data.at);
    time.textContent = data.time || new Date().toLocaleTimeString();
    var text = document.createElement(data.url && data.url.charAt(0) === "/" ? "a" : "span");
    if (text.tagName === "A") text.href = data.url;
    text.textContent = data.text || (data.payload && data.payload.summary) || "";
    li.appendChild(time);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(text);
    return li;
  }

  // Newest first, by the time each event happened (UTC timestamps compare as text).
  function show(data) {
    if (data.id != null) {
      if (seen[data.id]) return; // the same event through two groups, or both recent and live
      seen[data.id] = true;
    }
    var li = item(data);
    var before = null;
    if (data.at) {
      for (var i = 0; i < list.children.length; i++) {
        var other = list.children[i].querySelector("time").getAttribute("datetime");
        if (!other || other <= data.at) { before = list.children[i]; break; }
      }
    } else {
      before = list.firstChild;
    }
    list.insertBefore(li, before);
    while (list.children.length > LIMIT) list.removeChild(list.lastChild);
    if (empty) empty.hidden = true;
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var lang = encodeURIComponent(document.documentElement.lang || "");
    var socket = new WebSocket(scheme + window.location.host + "/ws/live/?lang=" + lang);
    socket.onopen = function () {
      delay = 1000;
      status.textContent = status.dataset.connectedText;
    };
    socket.onmessage = function (message) {
      var data = JSON.parse(message.data);
      if (data.event === "hello" || data.event === "pong") return;
      if (data.event === "recent") {
        data.payload.events.forEach(show);
        return;
      }
      show(data);
    };
    socket.onclose = function (event) {
      status.textContent = status.dataset.disconnectedText;
      if (event.code === 4401 || event.code === 4403) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
