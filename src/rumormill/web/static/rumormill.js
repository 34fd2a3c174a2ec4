// Progressive enhancement only: every page works without this file.
// A write form with data-confirm asks before it is sent.
"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) event.preventDefault();
});

// The provenance graph (an inline <svg class="provenance">, drawn by the server with plain
// links): hovering or focusing a node lights the chain it sits on (what it relies on, and
// who relies on it) and dims the rest; hovering an edge lights it and its two ends.  A
// button hides or shows the echoes.
(function () {
  var svg = document.querySelector("svg.provenance");
  if (!svg) return;
  var nodes = {};
  var out = {};
  var into = {};
  Array.prototype.forEach.call(svg.querySelectorAll(".node[data-node]"), function (node) {
    nodes[node.getAttribute("data-node")] = node;
  });
  Array.prototype.forEach.call(svg.querySelectorAll(".edge[data-from]"), function (edge) {
    var from = edge.getAttribute("data-from");
    var to = edge.getAttribute("data-to");
    (out[from] = out[from] || []).push({ edge: edge, node: to });
    (into[to] = into[to] || []).push({ edge: edge, node: from });
  });
  var current = null;
  var lit = [];

  function light(el) {
    if (!el || el.classList.contains("lit")) return;
    el.classList.add("lit");
    lit.push(el);
  }

  function lightNode(id) {
    var node = nodes[id];
    if (!node) return;
    light(node);
    var group = node.getAttribute("data-group");
    if (group) light(document.getElementById(group));
  }

  function walk(start, next) {
    var seen = {};
    var todo = [start];
    seen[start] = true;
    while (todo.length) {
      (next[todo.pop()] || []).forEach(function (step) {
        light(step.edge);
        if (!seen[step.node]) {
          seen[step.node] = true;
          lightNode(step.node);
          todo.push(step.node);
        }
      });
    }
  }

  function clear() {
    lit.forEach(function (el) { el.classList.remove("lit"); });
    lit = [];
    current = null;
    svg.classList.remove("focusing");
  }

  function show(item) {
    if (item === current) return;
    clear();
    if (!item) return;
    current = item;
    svg.classList.add("focusing");
    if (item.classList.contains("node")) {
      var id = item.getAttribute("data-node");
      lightNode(id);
      walk(id, out);
      walk(id, into);
    } else {
      light(item);
      lightNode(item.getAttribute("data-from"));
      lightNode(item.getAttribute("data-to"));
    }
  }

  function itemOf(target) {
    return target && target.closest ? target.closest(".node[data-node], .edge[data-from]") : null;
  }

  svg.addEventListener("mouseover", function (event) { show(itemOf(event.target)); });
  svg.addEventListener("mouseleave", clear);
  svg.addEventListener("focusin", function (event) { show(itemOf(event.target)); });
  svg.addEventListener("focusout", function (event) {
    if (!svg.contains(event.relatedTarget)) clear();
  });

  var box = svg.closest(".graph") || svg;
  var tools = document.createElement("p");
  tools.className = "graph-tools";
  if (svg.querySelector(".node.echo")) {
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "echo-toggle";
    toggle.setAttribute("aria-pressed", "false");
    toggle.textContent = "Hide echoes";
    toggle.addEventListener("click", function () {
      var hide = !svg.classList.contains("no-echoes");
      svg.classList.toggle("no-echoes", hide);
      toggle.setAttribute("aria-pressed", hide ? "true" : "false");
      toggle.textContent = hide ? "Show echoes" : "Hide echoes";
    });
    tools.appendChild(toggle);
  }
  var hint = document.createElement("span");
  hint.className = "muted";
  hint.textContent = "Hover or focus a node to follow its chain; click a node or an arrow to open it.";
  tools.appendChild(hint);
  box.parentNode.insertBefore(tools, box);
})();
