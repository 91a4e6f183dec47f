/* Progressive enhancement: sparklines on the tiles and a line chart on a series page, drawn with
   the vendored ECharts. Without JavaScript the tables say everything. */
(function () {
  "use strict";
  if (!window.echarts) { return; }
  document.querySelectorAll("[data-spark]").forEach(function (el) {
    var data = JSON.parse(el.getAttribute("data-spark") || "[]");
    if (!data.length) { el.remove(); return; }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 2, right: 2, top: 4, bottom: 4 },
      xAxis: { type: "time", show: false },
      yAxis: { type: "value", show: false, scale: true },
      series: [{ type: "line", data: data, showSymbol: false, lineStyle: { width: 1.5, color: "#1f5fae" } }]
    });
  });
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var d = JSON.parse(el.getAttribute("data-chart") || "{}");
    var points = d.points || [];
    if (!points.length) { el.remove(); return; }
    var byDistrict = {};
    points.forEach(function (p) { (byDistrict[p[2]] = byDistrict[p[2]] || []).push([p[0], p[1]]); });
    var lines = [];
    if (d.yellow !== null) { lines.push({ yAxis: d.yellow, lineStyle: { color: "#b07a00" }, label: { formatter: "黄色预警 " + d.yellow } }); }
    if (d.red !== null) { lines.push({ yAxis: d.red, lineStyle: { color: "#b3261e" }, label: { formatter: "红色预警 " + d.red } }); }
    var series = Object.keys(byDistrict).map(function (k, i) {
      var s = { type: "line", name: k, data: byDistrict[k], showSymbol: false };
      if (i === 0 && lines.length) { s.markLine = { symbol: "none", data: lines }; }
      return s;
    });
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 16, top: 24, bottom: 32 },
      xAxis: { type: "time" },
      yAxis: { type: "value", scale: true, name: d.unit || "" },
      series: series
    });
  });
})();
