// A table: its schema and primary key, a preview with filters and sort (run by the server), import from an
// uploaded file with a progress bar (upload, then a job followed to its end), export with a download link,
// and its history: versions, a preview as of each, restore (pages/history.js).
import { call, follow, raw, seg, upload } from "../api.js";
import { bytes, errorText, h, mount, section, table, text } from "../dom.js";
import { writeControl } from "../session.js";
import { historySection } from "./history.js";

const OPERATORS = [["eq", "="], ["ne", "≠"], ["gt", ">"], ["ge", "≥"], ["lt", "<"], ["le", "≤"]];

function previewForm(path, columns, out) {
  const column = h("select", { name: "column" }, h("option", { value: "" }, "(no filter)"), columns.map((c) => h("option", { value: c.name }, c.name)));
  const operator = h("select", { name: "operator" }, OPERATORS.map(([value, label]) => h("option", { value }, label)));
  const value = h("input", { name: "value", placeholder: "value" });
  const order = h("select", { name: "order" }, h("option", { value: "" }, "(no sort)"), columns.map((c) => h("option", { value: c.name }, c.name)));
  const direction = h("select", { name: "direction" }, h("option", { value: "asc" }, "ascending"), h("option", { value: "desc" }, "descending"));
  const limit = h("input", { name: "limit", type: "number", min: 1, max: 1000, value: 100 });
  const form = h("form", { id: "preview-form", class: "inline" }, "Where ", column, operator, value, " order by ", order, direction, " limit ", limit,
    h("button", { type: "submit" }, "Preview"));
  async function run() {
    const body = { limit: Number(limit.value) || 100 };
    if (column.value) body.filters = [{ column: column.value, operator: operator.value, value: value.value }];
    if (order.value) body.order_by = [{ column: order.value, order: direction.value }];
    try {
      const result = await call("POST", `${path}/preview`, body);
      mount(out, table(result.rows, result.columns.map((c) => [c, c]), { id: "preview-table" }), h("p", { class: "hint" }, `${result.rows.length} rows`));
    } catch (error) {
      mount(out, h("p", { class: "error" }, errorText(error)));
    }
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  run();
  return form;
}

function importForm(project, path, onDone) {
  const file = h("input", { type: "file", id: "import-file", name: "file", required: true });
  const mode = h("select", { name: "import_type" }, h("option", { value: "full" }, "replace (full)"), h("option", { value: "incremental" }, "append (incremental)"));
  const bar = h("progress", { id: "import-progress", max: 100, value: 0 });
  const status = h("span", { id: "import-status", class: "status" });
  const form = h("form", { id: "import-form", class: "inline" }, file, mode, writeControl(h("button", { type: "submit" }, "Import")), bar, status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = file.files[0];
    if (!chosen) return;
    try {
      const uploaded = await upload(project, chosen, (loaded, total) => {
        bar.value = total ? Math.round((loaded * 100) / total) : 0;
        status.textContent = `uploading ${bytes(loaded)} of ${bytes(total)}`;
      });
      bar.value = 100;
      const format = chosen.name.endsWith(".parquet") ? "parquet" : "csv";
      const job = await call("POST", `${path}/import`, { file_id: uploaded.id, async: true, import_type: mode.value, format });
      const done = await follow(project, job.id, (j) => {
        status.textContent = `job ${j.status}${j.progress?.phase ? ` (${j.progress.phase})` : ""}`;
      });
      status.textContent = `imported ${done.result.imported_rows} rows; the table has ${done.result.table_rows}`;
      onDone();
    } catch (error) {
      status.textContent = errorText(error);
      status.className = "status error";
    }
  });
  return form;
}

function exportForm(project, path) {
  const format = h("select", { name: "format" }, h("option", { value: "csv" }, "CSV"), h("option", { value: "parquet" }, "Parquet"));
  const status = h("span", { id: "export-status", class: "status" });
  const form = h("form", { id: "export-form", class: "inline" }, format, writeControl(h("button", { type: "submit" }, "Export")), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const key = `exports/${Date.now()}.${format.value}`;
      const job = await call("POST", `${path}/export`, { async: true, format: format.value, slicing: "none", key });
      const done = await follow(project, job.id, (j) => {
        status.textContent = `job ${j.status}`;
      });
      const fileId = done.result.files[0].file_id;
      // The download needs the key, which never goes into a URL: fetch it, then link the bytes.
      const blob = await (await raw(`/projects/${seg(project)}/files/${seg(fileId)}/content`)).blob();
      const link = h("a", { id: "export-link", href: URL.createObjectURL(blob), download: key.split("/").pop() }, `Download (${bytes(blob.size)}, ${done.result.exported_rows} rows)`);
      mount(status, link);
    } catch (error) {
      mount(status, h("span", { class: "error" }, errorText(error)));
    }
  });
  return form;
}

export async function tablePage(main, project, bucket, name) {
  const path = `/projects/${seg(project)}/branches/default/buckets/${seg(bucket)}/tables/${seg(name)}`;
  const info = await call("GET", path);
  const previewBox = h("div", { id: "preview" });
  const facts = h("p", { id: "table-facts" }, `${info.row_count} rows, ${bytes(info.size_bytes)}, primary key: ${(info.primary_key || []).join(", ") || "none"}`);
  const reload = async () => {
    const fresh = await call("GET", path);
    facts.textContent = `${fresh.row_count} rows, ${bytes(fresh.size_bytes)}, primary key: ${(fresh.primary_key || []).join(", ") || "none"}`;
    previewBox.replaceChildren();
    mount(previewSection, previewForm(path, fresh.columns, previewBox), previewBox);
  };
  const previewSection = h("div", {}, previewForm(path, info.columns, previewBox), previewBox);
  mount(main,
    h("h1", {}, "Table ", h("span", { id: "table-name" }, `${bucket}.${name}`)),
    h("p", {}, h("a", { href: `#/p/${seg(project)}` }, `← project ${project}`)),
    facts,
    section("Schema", table(info.columns, [["name", "Column"], ["type", "Type"], ["nullable", "Nullable"], ["default", "Default", (c) => text(c.default)],
      ["pk", "Primary key", (c) => ((info.primary_key || []).includes(c.name) ? "yes" : "")]], { id: "schema" })),
    section("Preview", previewSection),
    section("Import", importForm(project, path, reload)),
    section("Export", exportForm(project, path)),
    section("History", historySection(path, reload)));
  return null;
}
