// Keeps the comment counts of a draft page current while it is open.
(function () {
  "use strict";
  var articles = document.querySelector("[data-draft]");
  if (!articles || !window.WebSocket) return;
  var lang = document.documentElement.lang || "zh-hans";
  function label(n) {
    if (lang.indexOf("zh") === 0) return n + " 条意见";
    return n + (n === 1 ? " comment" : " comments");
  }
  var delay = 2000;
  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/drafts/" + articles.dataset.draft + "/");
    socket.onmessage = function (message) {
      var data = JSON.parse(message.data);
      if (data.event !== "counts") return;
      document.querySelectorAll("[data-count-for]").forEach(function (element) {
        var n = data.counts[element.dataset.countFor] || 0;
        element.textContent = label(n);
      });
    };
    socket.onclose = function (event) {
      if (event.code === 4404) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 60000);
    };
  }
  connect();
})();
