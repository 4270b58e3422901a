// Table history (docs/design/history.md) on the dashboard: a table's versions with a preview of the table
// as of each and a restore to it (in place, as one more change), and a branch's dropped tables with
// undrop. Every action is the REST history endpoint the CLI uses; restore and undrop are write controls.
import { call, seg } from "../api.js";
import { errorText, h, mount, table } from "../dom.js";
import { writeControl } from "../session.js";

// The RFC 3339 time one microsecond before `time` (as the server writes it, UTC): the table as it was just
// before a change committed then (a drop). Date has milliseconds only, so the microseconds are kept apart.
export function justBefore(time) {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z$/.exec(time);
  if (!m) throw new Error(`unexpected time ${time}`);
  const micros = BigInt(Date.parse(`${m[1]}Z`)) * 1000n + BigInt((m[2] || "").padEnd(6, "0")) - 1n;
  const seconds = new Date(Number(micros / 1000000n) * 1000).toISOString().slice(0, 19);
  return `${seconds}.${String(micros % 1000000n).padStart(6, "0")}Z`;
}

function button(label, attrs, action) {
  const el = h("button", { type: "button", ...attrs }, label);
  el.addEventListener("click", action);
  return el;
}

// The versions of the table at `path`; `onRestored()` runs after a restore (the page reloads its facts).
export function historySection(path, onRestored) {
  const box = h("div", { id: "history" });
  const preview = h("div", { id: "history-preview" });
  const status = h("p", { id: "history-status", class: "status" });
  async function load() {
    try {
      const { versions } = await call("GET", `${path}/history`);
      const newestFirst = [...versions].reverse();
      mount(box, table(newestFirst, [
        ["version", "Version"], ["committed_at", "Committed"], ["operation", "Operation"],
        ["rows_added", "Rows added"], ["rows_removed", "Rows removed"],
        ["actions", "Actions", (v) => [
          button("Preview", { class: "history-preview", dataset: { version: v.version } }, () => showAt(v)),
          " ",
          writeControl(button("Restore", { class: "history-restore", dataset: { version: v.version } }, () => restore(v))),
        ]],
      ], { id: "history-versions" }), status, preview);
    } catch (error) {
      mount(box, h("p", { class: "error" }, errorText(error)));
    }
  }
  async function showAt(version) {
    try {
      const result = await call("GET", `${path}/preview?at=${encodeURIComponent(version.committed_at)}&limit=100`);
      mount(preview, h("h3", {}, `As of version ${version.version} (${version.committed_at})`),
        table(result.rows, result.columns.map((c) => [c, c]), { id: "history-preview-table" }));
    } catch (error) {
      mount(preview, h("p", { class: "error" }, errorText(error)));
    }
  }
  async function restore(version) {
    try {
      const restored = await call("POST", `${path}/restore`, { at: version.committed_at });
      status.className = "status ok";
      status.textContent = `restored to version ${version.version}: ${restored.row_count} rows`;
      await load();
      await onRestored();
    } catch (error) {
      status.className = "status error";
      status.textContent = errorText(error);
    }
  }
  load();
  return box;
}

// The tables of the branch at `branchPath` dropped within the retention, each with Undrop.
export async function droppedTables(project, branchPath, onUndropped) {
  const { tables } = await call("GET", `${branchPath}/dropped-tables`);
  const status = h("span", { id: "undrop-status", class: "status" });
  async function undrop(t) {
    try {
      const restored = await call("POST", `${branchPath}/buckets/${seg(t.bucket)}/tables/${seg(t.name)}/restore`, { at: justBefore(t.dropped_at) });
      mount(status, h("span", { class: "ok" }, `undropped ${t.bucket}.${t.name} (${restored.row_count} rows)`));
      await onUndropped();
    } catch (error) {
      mount(status, h("span", { class: "error" }, errorText(error)));
    }
  }
  return [table(tables, [["bucket", "Bucket"], ["name", "Table"], ["dropped_at", "Dropped"],
    ["undrop", "Action", (t) => writeControl(button("Undrop", { class: "undrop", dataset: { table: `${t.bucket}.${t.name}` } }, () => undrop(t)))]],
  { id: "dropped-tables" }), status];
}
