// A project: buckets and their tables (row counts, sizes), branches, workspaces with a copyable connection
// string for the SQL door, API keys, sharing, the operations log with filters, and the dropped tables with
// undrop (pages/history.js). A section the key may not read shows the server's refusal instead of failing
// the page.
import { all, call, seg } from "../api.js";
import { bytes, errorText, h, mount, section, table, text } from "../dom.js";
import { writeControl } from "../session.js";
import { droppedTables } from "./history.js";

// Runs `load` into `box`, showing its error there.
async function fill(box, load) {
  try {
    mount(box, await load());
  } catch (error) {
    mount(box, h("p", { class: "error" }, errorText(error)));
  }
}

// A form whose submit runs `action(values)` and then `done()`; errors show beside it.
function actionForm(id, fields, label, action, done) {
  const inputs = fields.map(([name, placeholder, extra = {}]) => h("input", { name, placeholder, ...extra }));
  const status = h("span", { class: "status" });
  const form = h("form", { id, class: "inline" }, inputs, writeControl(h("button", { type: "submit" }, label)), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(inputs.map((i) => [i.name, i.value.trim()]));
    try {
      const result = await action(values);
      mount(status, h("span", { class: "ok" }, "done"));
      done?.(result, status);
    } catch (error) {
      mount(status, h("span", { class: "error" }, errorText(error)));
    }
  });
  return form;
}

// "id:INTEGER, name" -> [{name, type}]
function parseColumns(spec) {
  return spec.split(",").map((s) => s.trim()).filter(Boolean).map((s) => {
    const [name, type] = s.split(":");
    return { name: name.trim(), type: (type || "VARCHAR").trim() };
  });
}

function copyButton(value) {
  const button = h("button", { type: "button", class: "copy" }, "Copy");
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(value);
      button.textContent = "Copied";
    } catch {
      button.textContent = "Select and copy";
    }
  });
  return button;
}

export async function projectPage(main, project) {
  const base = `/projects/${seg(project)}`;
  const branch = `${base}/branches/default`;
  const info = await call("GET", base);
  const boxes = Object.fromEntries(["buckets", "dropped", "branches", "workspaces", "keys", "sharing", "operations"].map((n) => [n, h("div", { id: `project-${n}` })]));

  async function loadBuckets() {
    const buckets = await all(`${branch}/buckets`, "buckets");
    const rows = [];
    for (const bucket of buckets) {
      const tables = await all(`${branch}/buckets/${seg(bucket.name)}/tables`, "tables");
      for (const t of tables) rows.push({ bucket: bucket.name, ...t });
      if (!tables.length) rows.push({ bucket: bucket.name, name: null });
    }
    return [
      table(buckets, [["name", "Bucket"], ["description", "Description"], ["table_count", "Tables"], ["is_linked", "Linked"]], { class: "buckets" }),
      h("h3", {}, "Tables"),
      table(rows.filter((r) => r.name), [
        ["bucket", "Bucket"],
        ["name", "Table", (r) => h("a", { href: `#/p/${seg(project)}/b/${seg(r.bucket)}/t/${seg(r.name)}` }, r.name)],
        ["row_count", "Rows"], ["size_bytes", "Size", (r) => bytes(r.size_bytes)], ["primary_key", "Primary key", (r) => (r.primary_key || []).join(", ")],
      ], { class: "tables" }),
      h("div", { class: "forms" },
        actionForm("create-bucket", [["name", "bucket, e.g. in.c-sales", { required: true }], ["description", "description"]], "Create bucket",
          (v) => call("POST", `${branch}/buckets`, v), () => refresh("buckets")),
        actionForm("create-table", [["bucket", "bucket", { required: true }], ["name", "table", { required: true }], ["columns", "id:INTEGER, name", { required: true }], ["primary_key", "primary key column"]], "Create table",
          (v) => call("POST", `${branch}/buckets/${seg(v.bucket)}/tables`, { name: v.name, columns: parseColumns(v.columns), ...(v.primary_key ? { primary_key: [v.primary_key] } : {}) }),
          () => refresh("buckets"))),
    ];
  }

  async function loadBranches() {
    const branches = await all(`${base}/branches`, "branches");
    return [table(branches, [["id", "Branch"], ["name", "Name"], ["description", "Description"], ["created_at", "Created"]]),
      actionForm("create-branch", [["name", "branch name", { required: true }]], "Create branch", (v) => call("POST", `${base}/branches`, v), () => refresh("branches"))];
  }

  async function loadWorkspaces() {
    const workspaces = await all(`${branch}/workspaces`, "workspaces");
    const created = h("div", { id: "workspace-created" });
    return [table(workspaces, [["id", "Workspace"], ["branch_id", "Branch"], ["created_at", "Created"]]),
      actionForm("create-workspace", [], "Create workspace", () => call("POST", `${branch}/workspaces`, {}), (ws) => {
        // The SQL door speaks the PostgreSQL protocol; the password is shown once and kept out of the string.
        const connection = `postgresql://${encodeURIComponent(ws.credentials.user)}@${location.hostname}:5432/${encodeURIComponent(project)}`;
        mount(created, h("p", {}, "Connection string: ", h("code", { class: "connection" }, connection), " ", copyButton(connection)),
          h("p", {}, "Password (shown once): ", h("code", { class: "secret" }, ws.credentials.password)));
        refresh("workspaces").then(() => boxes.workspaces.appendChild(created));
      })];
  }

  async function loadKeys() {
    const keys = await all(`${base}/api-keys`, "api_keys");
    const issued = h("div", { id: "key-created" });
    return [table(keys, [["id", "Key id"], ["scope", "Scope"], ["branch_id", "Branch"], ["description", "Description"], ["last_used_at", "Last used"]]),
      actionForm("create-key", [["scope", "branch_read", { required: true }], ["branch_id", "branch (branch_* scopes)"], ["description", "description"]], "Create key",
        (v) => call("POST", `${base}/api-keys`, { scope: v.scope, description: v.description, ...(v.branch_id ? { branch_id: v.branch_id } : {}) }),
        (key) => mount(issued, h("p", {}, "New key (shown once): ", h("code", { class: "secret" }, key.api_key)))),
      issued];
  }

  async function loadSharing() {
    const grants = await call("GET", `${base}/readonly-grants`);
    return [h("p", {}, "Buckets the project's read-only role may read: ", (grants.buckets || []).map(text).join(", ") || "none"),
      actionForm("share-bucket", [["bucket", "bucket to share", { required: true }], ["targets", "target project ids, comma-separated"]], "Share bucket",
        (v) => call("POST", `${branch}/buckets/${seg(v.bucket)}/share`, { target_project_ids: v.targets.split(",").map((s) => s.trim()).filter(Boolean) }),
        () => refresh("sharing"))];
  }

  async function loadOperations() {
    const page = await call("GET", `${base}/operations?limit=200`);
    const filter = h("input", { id: "operations-filter", placeholder: "filter: operation, resource or status" });
    const list = h("div", {});
    const draw = () => {
      const needle = filter.value.toLowerCase();
      const rows = page.operations.filter((o) => !needle || `${o.operation} ${o.resource} ${o.status}`.toLowerCase().includes(needle));
      mount(list, table(rows, [["at", "At"], ["operation", "Operation"], ["resource", "Resource"], ["status", "Status"], ["duration_ms", "ms"]], { class: "operations" }));
    };
    filter.addEventListener("input", draw);
    draw();
    return [filter, list];
  }

  const loadDropped = () => droppedTables(project, branch, () => Promise.all([refresh("buckets"), refresh("dropped")]));
  const loaders = { buckets: loadBuckets, dropped: loadDropped, branches: loadBranches, workspaces: loadWorkspaces, keys: loadKeys, sharing: loadSharing, operations: loadOperations };
  const refresh = (name) => fill(boxes[name], loaders[name]);

  mount(main,
    h("h1", {}, "Project ", h("span", { id: "project-id" }, info.id)),
    h("p", {}, info.name ? `“${info.name}”, ` : "", `created ${info.created_at}`),
    section("Buckets and tables", boxes.buckets),
    section("Dropped tables", boxes.dropped),
    section("Branches", boxes.branches),
    section("Workspaces", boxes.workspaces),
    section("API keys", boxes.keys),
    section("Sharing", boxes.sharing),
    section("Operations log", boxes.operations));
  await Promise.all(Object.keys(loaders).map(refresh));
  return null;
}
