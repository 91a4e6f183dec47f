/* 12345 dashboard charts: progressive enhancement over the tables (which carry every number).
   Reads the page's embedded JSON (#hl-chart-data) and draws with the vendored ECharts; the map
   uses the 肇庆 geometry registered by vendor/echarts/zhaoqing.js. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var node = document.getElementById("hl-chart-data");
    if (!node || typeof window.echarts === "undefined") { return; }
    var data = JSON.parse(node.textContent);
    var charts = [];
    function chart(id, height, option) {
      var el = document.getElementById(id);
      if (!el) { return; }
      el.style.height = height + "px";
      var c = window.echarts.init(el, null, { renderer: "canvas" });
      c.setOption(option);
      el.setAttribute("data-rendered", "1");
      charts.push(c);
    }
    var max = Math.max.apply(null, [1].concat(data.map.map(function (d) { return d.value; })));
    if (window.echarts.getMap && window.echarts.getMap("肇庆")) {
      chart("hl-map", 420, {
        tooltip: { trigger: "item", formatter: "{b}：{c}" },
        visualMap: { min: 0, max: max, left: 8, bottom: 8, text: ["多", "少"], calculable: true,
                     inRange: { color: ["#e3f0fb", "#1f5fa8"] } },
        series: [{ type: "map", map: "肇庆", name: data.labels.tickets, data: data.map,
                   label: { show: true, fontSize: 11 }, emphasis: { label: { show: true } } }]
      });
    }
    chart("hl-chart-trend", 260, {
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 16, top: 16, bottom: 28 },
      xAxis: { type: "category", data: data.trend.map(function (t) { return t.date.slice(5); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "line", name: data.labels.trend, smooth: true, showSymbol: false,
                 data: data.trend.map(function (t) { return t.count; }) }]
    });
    var cats = data.categories.slice().reverse();
    chart("hl-chart-cats", Math.max(160, 28 * cats.length + 40), {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 120, right: 24, top: 8, bottom: 24 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: cats.map(function (c) { return c.name; }) },
      series: [{ type: "bar", name: data.labels.tickets, data: cats.map(function (c) { return c.value; }),
                 itemStyle: { color: "#1f5fa8" } }]
    });
    var rates = data.rates;
    if (rates.rows.length) {
      chart("hl-chart-rates", 300, {
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
        legend: { top: 0 },
        grid: { left: 40, right: 16, top: 36, bottom: 80 },
        xAxis: { type: "category", data: rates.rows.map(function (r) { return r.name.replace("肇庆市", ""); }),
                 axisLabel: { rotate: 35, fontSize: 11 } },
        yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        series: rates.names.map(function (n, i) {
          return { type: "bar", name: n, data: rates.rows.map(function (r) { return r.values[i]; }) };
        })
      });
    }
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
