// Every call of the dashboard goes through the REST API with the key the user logged in with, kept in
// sessionStorage (gone when the tab closes; never in a URL or a cookie). The dashboard has no powers of
// its own: what the key may not do, the server refuses.

const KEY = "duckstore.key";

export function key() {
  return sessionStorage.getItem(KEY);
}

export function setKey(value) {
  if (value) sessionStorage.setItem(KEY, value);
  else sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function failure(response) {
  let code = `http_${response.status}`;
  let message = response.statusText;
  try {
    const body = await response.json();
    if (body && body.error) ({ code, message } = body.error);
  } catch {
    // not the JSON envelope
  }
  return new ApiError(response.status, code, message);
}

function headers(extra = {}) {
  return { Authorization: `Bearer ${key()}`, ...extra };
}

// The decoded JSON of a call (null for an empty body); throws ApiError with the server's code.
export async function call(method, path, body) {
  const init = { method, headers: headers(), cache: "no-store" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (!response.ok) throw await failure(response);
  const textBody = await response.text();
  return textBody ? JSON.parse(textBody) : null;
}

export async function raw(path) {
  const response = await fetch(path, { headers: headers(), cache: "no-store" });
  if (!response.ok) throw await failure(response);
  return response;
}

// Every item of a paged listing.
export async function all(path, field) {
  const items = [];
  for (let offset = 0; ; offset += 1000) {
    const sep = path.includes("?") ? "&" : "?";
    const page = await call("GET", `${path}${sep}limit=1000&offset=${offset}`);
    items.push(...page[field]);
    if (offset + 1000 >= page.total) return items;
  }
}

// Uploads `file` as a project file, reporting progress(loaded, total); resolves to the file's JSON.
export function upload(project, file, progress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", `/projects/${seg(project)}/files?name=${encodeURIComponent(file.name)}`);
    request.setRequestHeader("Authorization", `Bearer ${key()}`);
    request.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    request.upload.addEventListener("progress", (e) => progress(e.loaded, e.total || file.size));
    request.addEventListener("load", () => {
      let body = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        // not JSON
      }
      if (request.status >= 200 && request.status < 300) resolve(body);
      else reject(new ApiError(request.status, body?.error?.code || `http_${request.status}`, body?.error?.message || "upload failed"));
    });
    request.addEventListener("error", () => reject(new ApiError(0, "connection_failed", "the upload failed")));
    request.send(file);
  });
}

// Polls a job until it ends; onProgress(job) on each poll. Resolves to the finished job or throws.
export async function follow(project, jobId, onProgress) {
  for (;;) {
    const job = await call("GET", `/projects/${seg(project)}/jobs/${seg(jobId)}`);
    onProgress?.(job);
    if (job.status === "succeeded") return job;
    if (job.status === "failed" || job.status === "cancelled") {
      throw new ApiError(0, job.error?.code || job.status, job.error?.message || `job ${job.status}`);
    }
    await new Promise((r) => setTimeout(r, 400));
  }
}

export function seg(name) {
  return encodeURIComponent(name);
}
