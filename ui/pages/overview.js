// Server overview: health, version and readiness, projects, live request and error rates (from /metrics,
// which only the admin key may read), and the jobs of the key's project.
import { all, call, raw } from "../api.js";
import { requestTotals, lineChart } from "../chart.js";
import { bytes, errorText, h, mount, section, table } from "../dom.js";
import { session, writeControl } from "../session.js";

const REFRESH_MS = 3000;

function projectLink(id) {
  return h("a", { href: `#/p/${encodeURIComponent(id)}` }, id);
}

function createProjectForm(onCreated) {
  const id = h("input", { name: "id", placeholder: "project id", required: true });
  const status = h("span", { class: "status" });
  const form = h("form", { id: "create-project", class: "inline" }, id, writeControl(h("button", { type: "submit" }, "Create project")), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const created = await call("POST", "/projects", { id: id.value });
      mount(status, h("span", {}, "created; its project_admin key (shown once): "), h("code", { class: "secret" }, created.api_key));
      onCreated();
    } catch (error) {
      mount(status, h("span", { class: "error" }, errorText(error)));
    }
  });
  return form;
}

export async function overviewPage(main) {
  const [health, ready] = await Promise.all([call("GET", "/health"), fetch("/ready").then((r) => r.json())]);
  const admin = session.whoami.admin;
  const projectsBox = h("div", { id: "projects" });
  const charts = h("div", { id: "charts", class: "charts" });
  const jobsBox = h("div", { id: "overview-jobs" });

  async function loadProjects() {
    const projects = admin ? await all("/projects", "projects")
      : [await call("GET", `/projects/${encodeURIComponent(session.whoami.key.project_id)}`)];
    mount(projectsBox, table(projects, [["id", "Project", (p) => projectLink(p.id)], ["name", "Name"], ["status", "Status"], ["created_at", "Created"]], { class: "projects" }));
  }
  await loadProjects();

  mount(main,
    h("h1", {}, "Server overview"),
    section("Server", h("dl", { class: "facts" },
      h("dt", {}, "Health"), h("dd", { id: "health" }, health.status),
      h("dt", {}, "Version"), h("dd", { id: "version" }, health.version),
      h("dt", {}, "Readiness"), h("dd", { id: "ready" }, ready.status),
      h("dt", {}, "Open project databases"), h("dd", {}, ready.open_projects ?? ""),
      h("dt", {}, "Engine memory reserved"), h("dd", {}, `${bytes(ready.memory_reserved_bytes)} of ${bytes(ready.memory_cap_bytes)}`))),
    section("Projects", admin ? createProjectForm(loadProjects) : null, projectsBox),
    section("Requests", charts),
    section("Jobs", jobsBox));

  if (!admin) {
    const project = session.whoami.key.project_id;
    const jobs = await call("GET", `/projects/${encodeURIComponent(project)}/jobs?limit=10`);
    mount(jobsBox, table(jobs.jobs, [["id", "Job"], ["kind", "Kind"], ["status", "Status"], ["created_at", "Created"]]));
    mount(charts, h("p", { class: "hint" }, "Request charts read /metrics, which only the admin key (or the metrics token) may read."));
    return null;
  }
  mount(jobsBox, h("p", { class: "hint" }, "Jobs are per project: open a project's Jobs page."));

  const rate = lineChart("Requests", "req/s");
  const errors = lineChart("Errors", "err/s");
  mount(charts, rate.el, errors.el);
  let last = null;
  async function sample() {
    try {
      const totals = requestTotals(await (await raw("/metrics")).text());
      const now = performance.now();
      if (last) {
        const seconds = (now - last.at) / 1000;
        rate.push((totals.total - last.total) / seconds);
        errors.push((totals.errors - last.errors) / seconds);
      }
      last = { ...totals, at: now };
    } catch (error) {
      mount(charts, h("p", { class: "error" }, errorText(error)));
      clearInterval(timer);
    }
  }
  await sample();
  const timer = setInterval(sample, REFRESH_MS);
  return () => clearInterval(timer);
}
