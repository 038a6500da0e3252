// The trend page's chart: first doses of people aged 60+ per day, stacked by community,
// with the total as a line and its milestones marked. Data from the page's JSON
// endpoint (data-src); no inline script, the CSP forbids it.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("trend-chart");
  if (!box || typeof echarts === "undefined") {
    return;
  }
  var chart = echarts.init(box, null, { renderer: "canvas" });
  window.addEventListener("resize", function () { chart.resize(); });
  window.addEventListener("beforeprint", function () { chart.resize(); });

  fetch(box.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.json();
    })
    .then(function (data) { draw(chart, box, data); })
    .catch(function () { box.textContent = "—"; });
});

function draw(chart, box, data) {
  var days = data.days.map(function (day) { return day.slice(5); });
  var series = data.communities.map(function (c) {
    return {
      name: c.community,
      type: "bar",
      stack: "communities",
      emphasis: { focus: "series" },
      data: c.first_doses_60plus,
    };
  });
  series.push({
    name: box.dataset.totalLabel,
    type: "line",
    data: data.total,
    symbolSize: 6,
    z: 10,
    label: { show: data.days.length <= 31, position: "top" },
    markPoint: {
      symbol: "pin",
      symbolSize: 46,
      data: data.milestones.map(function (m) {
        return { name: m.label, coord: [m.date.slice(5), m.value], value: m.value };
      }),
      label: { formatter: function (p) { return p.value; } },
      tooltip: { formatter: function (p) { return p.name + "：" + p.value; } },
    },
    markLine: {
      silent: true,
      symbol: "none",
      data: [{ yAxis: 100, name: box.dataset.lineLabel }],
      label: { formatter: box.dataset.lineLabel },
      lineStyle: { type: "dashed", color: "#c8161d" },
    },
  });
  chart.setOption({
    animation: false,
    // Drawn on the canvas: the HTML tooltip would need inline styles, which the CSP forbids.
    tooltip: { trigger: "axis", confine: true, renderMode: "richText" },
    legend: { type: "scroll", top: 0 },
    grid: { left: 40, right: 16, top: 40, bottom: 60 },
    dataZoom: data.days.length > 31 ? [{ type: "slider", bottom: 10 }] : [],
    xAxis: { type: "category", data: days },
    yAxis: { type: "value", minInterval: 1 },
    series: series,
  });
}
