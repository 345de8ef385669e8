// Connects to the staff live-events socket and lists each event as it arrives.
(function () {
  "use strict";
  var list = document.querySelector("[data-live-events]");
  var status = document.querySelector("[data-live-status]");
  if (!list || !status) return;
  var delay = 1000;

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/live/");
    socket.onopen = function () {
      delay = 1000;
      status.textContent = status.dataset.connectedText;
    };
    socket.onmessage = function (message) {
      var data = JSON.parse(message.data);
      if (data.event === "hello" || data.event === "pong") return;
      var item = document.createElement("li");
      var time = document.createElement("time");
      time.textContent = new Date().toLocaleTimeString();
      var text = document.createElement(data.payload.url ? "a" : "span");
      if (data.payload.url && data.payload.url.charAt(0) === "/") text.href = data.payload.url;
      text.textContent = " " + data.event + ": " + (data.payload.summary || JSON.stringify(data.payload));
      item.appendChild(time);
      item.appendChild(text);
      list.insertBefore(item, list.firstChild);
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
