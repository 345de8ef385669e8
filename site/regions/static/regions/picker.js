// The region picker (regions/forms.py): type a place's name and pick a suggestion, or pick from the select chain.
// The chosen code goes into the hidden input named after the field. Without this script the selects work alone.
(function () {
  "use strict";
  if (window.sunshineRegionPicker) return; // the widget's <script> comes once per picker on the page
  window.sunshineRegionPicker = true;

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function setup(root) {
    var code = root.querySelector("[data-region-code]");
    var search = root.querySelector("[data-region-search]");
    var query = root.querySelector("[data-region-query]");
    var list = root.querySelector("[data-region-suggestions]");
    var status = root.querySelector("[data-region-status]");
    var chosen = root.querySelector("[data-region-chosen]");
    var selects = Array.prototype.slice.call(root.querySelectorAll("[data-region-select]"));
    var url = root.dataset.suggestUrl;
    var levels = parseInt(root.dataset.levels || "3", 10);
    var counties = levels < 3 ? "?counties=false" : "";
    var narrow = root.querySelector("[data-region-narrow]");
    if (narrow) narrow.remove(); // the lists fill themselves now; Enter must not press it
    search.hidden = false;
    root.querySelector("[data-region-or]").hidden = false;

    var results = [];
    var active = -1;
    var timer = null;
    var generation = 0;

    function deepest() {
      var value = "";
      selects.forEach(function (select) { if (!select.closest("[hidden]") && select.value) value = select.value; });
      return value;
    }

    function showChosen(label) {
      chosen.textContent = "";
      if (!label) return;
      chosen.append(root.dataset.msgChosen + " ");
      var strong = document.createElement("strong");
      strong.textContent = label;
      chosen.append(strong);
    }

    function labelFromSelects() {
      var names = [];
      selects.forEach(function (select) {
        if (!select.closest("[hidden]") && select.value) names.push(select.options[select.selectedIndex].text);
      });
      return names.join(" › ");
    }

    function fill(select, places, selected) {
      while (select.options.length > 1) select.remove(1);
      places.forEach(function (place) {
        var option = new Option(place.name, place.code, false, place.code === selected);
        select.add(option);
      });
      select.closest("[data-region-level]").hidden = places.length === 0;
    }

    function clearBelow(level) {
      selects.forEach(function (select, i) {
        if (i + 1 > level) { fill(select, [], ""); }
      });
    }

    function loadChildren(level, parentCode, selected) {
      // Fill the list at `level` + 1 with the places inside parentCode.
      if (level >= levels || !parentCode || parentCode === "000000") return Promise.resolve();
      return fetch(url + encodeURIComponent(parentCode) + "/children/" + counties, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (places) { fill(selects[level], places, selected || ""); })
        .catch(function () { /* the lists above still hold a valid choice */ });
    }

    selects.forEach(function (select, i) {
      select.addEventListener("change", function () {
        var level = i + 1;
        clearBelow(level);
        code.value = deepest();
        showChosen(labelFromSelects());
        query.value = "";
        if (select.value) loadChildren(level, select.value, "");
      });
    });

    function close() {
      list.hidden = true;
      list.textContent = "";
      query.setAttribute("aria-expanded", "false");
      query.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      items.forEach(function (item, i) { item.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0 && items[index]) {
        query.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        query.removeAttribute("aria-activedescendant");
      }
    }

    function choose(place) {
      code.value = place.code;
      query.value = place.label;
      showChosen(place.label);
      close();
      status.textContent = "";
      var chain = place.chain.slice(0, levels);
      selects[0].value = chain[0] || "";
      clearBelow(1);
      var step = Promise.resolve();
      chain.forEach(function (parent, i) {
        step = step.then(function () { return loadChildren(i + 1, parent, chain[i + 1]); });
      });
    }

    function render(data) {
      results = data.results;
      list.textContent = "";
      results.forEach(function (place, i) {
        var item = document.createElement("li");
        item.id = query.id + "-option-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.dataset.code = place.code;
        item.textContent = place.label;
        item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(place); });
        list.append(item);
      });
      list.hidden = results.length === 0;
      query.setAttribute("aria-expanded", results.length ? "true" : "false");
      active = -1;
      if (!results.length) status.textContent = root.dataset.msgNone;
      else if (data.total > results.length) status.textContent = format(root.dataset.msgMore, { shown: results.length, total: data.total });
      else status.textContent = format(root.dataset.msgCount, { count: data.total });
    }

    function lookup() {
      var text = query.value.trim();
      var mine = ++generation;
      if (!text) { close(); status.textContent = ""; return; }
      var params = "?q=" + encodeURIComponent(text) + (levels < 3 ? "&counties=false" : "");
      fetch(url + params, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) { if (mine === generation) render(data); })
        .catch(function () { /* the lists still work */ });
    }

    query.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, 150);
    });
    query.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && results.length) {
        event.preventDefault();
        if (list.hidden) { list.hidden = false; query.setAttribute("aria-expanded", "true"); }
        highlight(Math.min(active + 1, results.length - 1));
      } else if (event.key === "ArrowUp" && results.length) {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        if (!list.hidden && results.length) {
          event.preventDefault(); // pick, do not send the form
          choose(results[active >= 0 ? active : 0]);
        }
      } else if (event.key === "Escape") {
        close();
      }
    });
    query.addEventListener("blur", function () { setTimeout(close, 100); });

    code.value = deepest();
    if (code.value) showChosen(labelFromSelects());
  }

  function init() {
    document.querySelectorAll("[data-region-picker]").forEach(setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
