// Request and error rates from GET /metrics (Prometheus text), drawn as small SVG line charts.

const SVG = "http://www.w3.org/2000/svg";
const POINTS = 40;

// Sums of duckstore_requests_total over all series: {total, errors}.
export function requestTotals(exposition) {
  let total = 0;
  let errors = 0;
  for (const line of exposition.split("\n")) {
    if (!line.startsWith("duckstore_requests_total{")) continue;
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    total += value;
    if (!line.includes('outcome="ok"')) errors += value;
  }
  return { total, errors };
}

function svg(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  return el;
}

// A chart of the last POINTS values; returns {el, push(value)}.
export function lineChart(title, unit) {
  const values = [];
  const width = 320;
  const height = 90;
  const root = document.createElement("figure");
  root.className = "chart";
  const caption = document.createElement("figcaption");
  const drawing = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img" });
  const line = svg("polyline", { fill: "none", stroke: "currentColor", "stroke-width": 2, points: "" });
  drawing.appendChild(svg("rect", { x: 0, y: 0, width, height, fill: "none", stroke: "#ccc" }));
  drawing.appendChild(line);
  root.append(drawing, caption);
  caption.textContent = `${title}: waiting for data`;
  return {
    el: root,
    push(value) {
      values.push(value);
      if (values.length > POINTS) values.shift();
      const max = Math.max(1e-9, ...values);
      const points = values.map((v, i) => `${(i * width) / (POINTS - 1)},${height - 4 - (v / max) * (height - 8)}`);
      line.setAttribute("points", points.join(" "));
      caption.textContent = `${title}: ${value.toFixed(2)} ${unit}`;
    },
  };
}
