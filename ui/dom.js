// DOM helpers. Every text reaches the page through textContent or attribute setters, never through HTML
// parsing, so a bucket or table named "<script>" shows as text.

// h("div", {class: "x", onclick: fn}, child, "text", ...): an element; children may be nodes, strings,
// numbers, null (skipped) or arrays of those.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

// Replaces the content of `el`.
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

export function text(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

// A table of `rows` (objects) with `columns`: [name, label?, render?(row) -> node|string].
export function table(rows, columns, attrs = {}) {
  const head = h("tr", {}, columns.map(([name, label]) => h("th", {}, label || name)));
  const body = rows.map((row) =>
    h("tr", {}, columns.map(([name, , render]) => h("td", {}, render ? render(row) : text(row[name])))));
  return h("table", attrs, h("thead", {}, head), h("tbody", {}, body.length ? body : h("tr", {}, h("td", { colspan: columns.length, class: "empty" }, "none"))));
}

export function section(title, ...children) {
  return h("section", {}, h("h2", {}, title), ...children);
}

export function bytes(n) {
  if (n === null || n === undefined) return "";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = Number(n);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit ? `${value.toFixed(1)} ${units[unit]}` : `${value} B`;
}

// A message area: errors show the server's stable code.
export function notice(el, message, kind = "error") {
  mount(el, h("p", { class: kind }, message));
}

export function errorText(error) {
  return error.code ? `${error.code}: ${error.message}` : String(error.message || error);
}
