// Charts for the whole portal, drawn with the vendored Apache ECharts (canvas renderer).
//
//   {{ spec|json_script:"my-chart-data" }}
//   <div class="chart-box" data-chart="bar" data-chart-source="my-chart-data"
//        role="img" aria-label="…"></div>
//
// The spec is JSON from Django's json_script, so no data or code sits inline in the page
// (strict CSP). Kinds (data-chart):
//   bar, line : {labels: [..], series: [{label, data: [..]}], stack?: true, horizontal?: true}
//   pie       : {series: [{label, data: [{name, value}]}]}
//   heatmap   : {x: [..], y: [..], data: [[xIndex, yIndex, value], ..], min?, max?}
// A null value is a suppressed cell (fewer than 5): no bar, "<5" in the tooltip.
// Tooltips render as rich text on the canvas (renderMode "richText"): ECharts' default HTML
// tooltips carry inline style attributes, which the CSP refuses.
// Drawn charts are kept in window.portalCharts (element id or source id -> chart) for tests.
(function () {
  "use strict";
  var COLOURS = ["#b5242b", "#2b6cb5", "#2f9e44", "#f08c00", "#7048e8", "#0c8599"];
  var charts = (window.portalCharts = window.portalCharts || {});

  function fmt(value) {
    if (Array.isArray(value)) { value = value[value.length - 1]; }
    return value === null || value === undefined ? "<5（不予显示）" : String(value);
  }

  function cartesian(kind, spec) {
    var category = { type: "category", data: spec.labels, axisLabel: { interval: 0 } };
    var value = { type: "value", minInterval: 1 };
    return {
      color: COLOURS,
      grid: { left: 48, right: 16, top: spec.series.length > 1 ? 36 : 16, bottom: 32, containLabel: true },
      legend: spec.series.length > 1 ? { top: 0 } : undefined,
      tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: fmt },
      xAxis: spec.horizontal ? value : category,
      yAxis: spec.horizontal ? category : value,
      series: spec.series.map(function (s) {
        return { name: s.label, type: kind, data: s.data, stack: spec.stack ? "total" : undefined };
      })
    };
  }

  function pie(kind, spec) {
    var s = spec.series[0];
    return {
      color: COLOURS,
      tooltip: { trigger: "item", renderMode: "richText" },
      legend: { bottom: 0 },
      series: [{ name: s.label, type: "pie", radius: ["35%", "65%"], data: s.data }]
    };
  }

  function heatmap(kind, spec) {
    var values = spec.data.map(function (d) { return d[2]; }).filter(function (v) { return v !== null; });
    return {
      tooltip: { trigger: "item", renderMode: "richText", valueFormatter: fmt },
      grid: { left: 8, right: 8, top: 8, bottom: 56, containLabel: true },
      xAxis: { type: "category", data: spec.x, splitArea: { show: true } },
      yAxis: { type: "category", data: spec.y, splitArea: { show: true } },
      visualMap: {
        min: spec.min !== undefined ? spec.min : Math.min.apply(null, values.concat([0])),
        max: spec.max !== undefined ? spec.max : Math.max.apply(null, values.concat([1])),
        calculable: true, orient: "horizontal", left: "center", bottom: 0,
        inRange: { color: ["#fff5f5", "#b5242b"] }
      },
      series: [{ type: "heatmap", data: spec.data, label: { show: true } }]
    };
  }

  var BUILDERS = { bar: cartesian, line: cartesian, pie: pie, heatmap: heatmap };

  function draw(el) {
    var sourceId = el.getAttribute("data-chart-source");
    var source = document.getElementById(sourceId);
    var kind = el.getAttribute("data-chart");
    if (!source || !window.echarts || !BUILDERS[kind]) { return; }
    var spec = JSON.parse(source.textContent);
    var chart = window.echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption(Object.assign({ animation: false }, BUILDERS[kind](kind, spec)));
    charts[el.id || sourceId] = chart;
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  // Charts inside content swapped in by htmx (e.g. a drill-down) are drawn too.
  document.addEventListener("htmx:afterSwap", function (event) { drawAll(event.target); });
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (key) { charts[key].resize(); });
  });
})();
