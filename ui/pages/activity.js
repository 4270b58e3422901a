// The project's files (upload with progress, download, delete) and its jobs (progress and errors, refreshed
// while the page is open).
import { all, call, raw, seg, upload } from "../api.js";
import { bytes, errorText, h, mount, section, table, text } from "../dom.js";
import { writeControl } from "../session.js";

const JOBS_REFRESH_MS = 2000;

export async function filesPage(main, project) {
  const base = `/projects/${seg(project)}/files`;
  const list = h("div", { id: "files" });
  const status = h("span", { id: "upload-status", class: "status" });
  const bar = h("progress", { id: "upload-progress", max: 100, value: 0 });
  const picker = h("input", { type: "file", id: "upload-file", required: true });

  async function download(file, cell) {
    try {
      const blob = await (await raw(`${base}/${seg(file.id)}/content`)).blob();
      mount(cell, h("a", { href: URL.createObjectURL(blob), download: file.name, class: "download-link" }, `save ${file.name}`));
    } catch (error) {
      mount(cell, h("span", { class: "error" }, errorText(error)));
    }
  }

  async function load() {
    const files = await all(base, "files");
    mount(list, table(files, [
      ["name", "Name"], ["size", "Size", (f) => bytes(f.size)], ["content_type", "Type"], ["created_at", "Created"],
      ["actions", "", (f) => {
        const cell = h("span", {});
        const get = h("button", { type: "button" }, "Download");
        get.addEventListener("click", () => download(f, cell));
        const remove = writeControl(h("button", { type: "button" }, "Delete"));
        remove.addEventListener("click", async () => {
          try {
            await call("DELETE", `${base}/${seg(f.id)}`);
            await load();
          } catch (error) {
            mount(cell, h("span", { class: "error" }, errorText(error)));
          }
        });
        return h("span", {}, get, remove, cell);
      }],
    ], { class: "files" }));
  }

  const form = h("form", { id: "upload-form", class: "inline" }, picker, writeControl(h("button", { type: "submit" }, "Upload")), bar, status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = picker.files[0];
    if (!file) return;
    try {
      await upload(project, file, (loaded, total) => {
        bar.value = total ? Math.round((loaded * 100) / total) : 0;
        status.textContent = `${bytes(loaded)} of ${bytes(total)}`;
      });
      bar.value = 100;
      status.textContent = `uploaded ${file.name}`;
      await load();
    } catch (error) {
      status.textContent = errorText(error);
    }
  });
  mount(main, h("h1", {}, "Files of ", project), section("Upload", form), section("Files", list));
  await load();
  return null;
}

function jobProgress(job) {
  if (job.status === "failed" || job.status === "cancelled") return h("span", { class: "error" }, job.error ? `${job.error.code}: ${job.error.message}` : job.status);
  if (job.status !== "running" || !job.progress) return job.status;
  const percent = job.progress.percentage;
  return h("span", {}, `${job.progress.phase || "running"} `, percent >= 0 ? h("progress", { max: 100, value: Math.round(percent) }) : null);
}

export async function jobsPage(main, project) {
  const list = h("div", { id: "jobs" });
  async function load() {
    const page = await call("GET", `/projects/${seg(project)}/jobs?limit=100`);
    mount(list, table(page.jobs, [
      ["id", "Job"], ["kind", "Kind"], ["target", "Target"], ["status", "Status"],
      ["progress", "Progress or error", jobProgress], ["created_at", "Created"], ["finished_at", "Finished", (j) => text(j.finished_at)],
    ], { class: "jobs" }));
  }
  mount(main, h("h1", {}, "Jobs of ", project), list);
  await load();
  const timer = setInterval(() => load().catch((error) => mount(list, h("p", { class: "error" }, errorText(error)))), JOBS_REFRESH_MS);
  return () => clearInterval(timer);
}
