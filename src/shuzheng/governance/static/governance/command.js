/* 指挥调度: the 肇庆 map of open events per 区县, drawn by the vendored ECharts over the table
   that carries every number; redrawn when htmx swaps in the live part (#command-live). */
(function () {
  "use strict";
  var chart = null;
  function data() {
    var node = document.getElementById("command-chart-data");
    return node ? JSON.parse(node.textContent) : null;
  }
  function draw() {
    var el = document.getElementById("command-map");
    var d = data();
    if (!el || !d || typeof window.echarts === "undefined") { return; }
    if (!(window.echarts.getMap && window.echarts.getMap("肇庆"))) { return; }
    var max = Math.max.apply(null, [1].concat(d.map.map(function (x) { return x.value; })));
    if (!chart) {
      el.style.height = "420px";
      chart = window.echarts.init(el, null, { renderer: "canvas" });
      window.addEventListener("resize", function () { chart.resize(); });
    }
    chart.setOption({
      tooltip: { trigger: "item", formatter: "{b}：{c}" },
      visualMap: { min: 0, max: max, left: 8, bottom: 8, text: ["多", "少"], calculable: true,
                   seriesIndex: 0, inRange: { color: ["#e3f0fb", "#b3261e"] } },
      geo: { map: "肇庆", roam: false, label: { show: true, fontSize: 11 },
             emphasis: { label: { show: true } } },
      series: [
        { type: "map", geoIndex: 0, name: d.label, data: d.map },
        /* the open events with coordinates (the newest 500), a dot each */
        { type: "scatter", coordinateSystem: "geo", name: d.points_label || "",
          data: d.points || [], symbolSize: 7, itemStyle: { color: "#1f4e9c", opacity: 0.85 },
          tooltip: { formatter: function (p) {
            return p.data.name + "：" + p.data.cls + "（" + p.data.status + "）";
          } } }
      ]
    });
    el.setAttribute("data-rendered", "1");
  }
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    draw();
    document.body.addEventListener("htmx:afterSettle", function (e) {
      if (e.target && e.target.id === "command-live") { draw(); }
    });
  });
})();
