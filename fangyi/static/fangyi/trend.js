// The trend page's chart: first doses of people aged 60+ per day, stacked by community,
// with the total as a line and its milestones marked. Data from the page's JSON
// endpoint (data-src); no inline script, the CSP forbids it.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("trend-chart");
  if (!box || typeof echarts === "undefined") {
    return;
  }
  var chart = echarts.init(box, null, { renderer: "canvas" });
  var drawn = null;
  // The box, not the window: its width is final only once the page is laid out, and a
  // chart drawn for a wider box would cut off its last days.
  new ResizeObserver(function () {
    chart.resize();
    if (drawn) {
      chart.setOption(fit(box, drawn));
    }
  }).observe(box);
  window.addEventListener("beforeprint", function () { chart.resize(); });
  var pick = document.getElementById("trend-pick");
  if (pick) {
    pick.addEventListener("change", function () { show(chart, box, pick.value); });
  }

  fetch(box.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.json();
    })
    .then(
      function (data) {
        drawn = data;
        draw(chart, box, data);
        if (pick && pick.value) {
          show(chart, box, pick.value);
        }
      },
      // Only a failed request shows the dash; a fault in drawing reaches the console.
      function () { box.textContent = "—"; }
    );
});

function draw(chart, box, data) {
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
  var option = {
    animation: false,
    // Drawn on the canvas: the HTML tooltip would need inline styles, which the CSP forbids.
    tooltip: { trigger: "axis", confine: true, renderMode: "richText" },
    dataZoom: data.days.length > 31 ? [{ type: "slider", bottom: 10 }] : [],
    yAxis: { type: "value", minInterval: 1 },
    series: series,
  };
  chart.setOption(Object.assign(option, fit(box, data)));
}

// What depends on the box's width. A phone shows no legend (it would page through the
// communities three at a time; the select above the chart picks one instead), and every
// width labels the last day, counting the labels back from it.
function fit(box, data) {
  var wide = box.clientWidth >= 560;
  var step = Math.max(1, Math.ceil(data.days.length / Math.max(2, Math.floor(box.clientWidth / 56))));
  var last = data.days.length - 1;
  return {
    legend: { show: wide, type: "scroll", top: 0 },
    grid: { left: 8, right: 24, top: wide ? 40 : 24, bottom: data.days.length > 31 ? 60 : 12, containLabel: true },
    xAxis: {
      type: "category",
      data: data.days.map(function (day) { return day.slice(5); }),
      axisLabel: { interval: function (index) { return (last - index) % step === 0; } },
    },
  };
}

// One community's bars alone (the axis then fits them), or (name "") every community's with the total.
function show(chart, box, name) {
  var selected = {};
  chart.getOption().series.forEach(function (s) {
    selected[s.name] = !name || s.name === name;
  });
  chart.setOption({ legend: { selected: selected } });
}
