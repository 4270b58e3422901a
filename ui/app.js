// The dashboard: hash routes to pages, login with an API key, what the key may do from GET /whoami.
import { ApiError, call, key, setKey } from "./api.js";
import { errorText, h, mount } from "./dom.js";
import { overviewPage } from "./pages/overview.js";
import { projectPage } from "./pages/project.js";
import { tablePage } from "./pages/table.js";
import { filesPage, jobsPage } from "./pages/activity.js";
import { session } from "./session.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const who = document.getElementById("who");
const logout = document.getElementById("logout");

function loginPage(message) {
  const input = h("input", { id: "login-key", type: "password", autocomplete: "off", placeholder: "API key", required: true });
  const status = h("div", { id: "login-status" }, message ? h("p", { class: "error" }, message) : null);
  const form = h("form", { id: "login-form", class: "card" },
    h("h1", {}, "Log in"),
    h("p", {}, "Use the server admin key or a project key. It is kept in this tab only (sessionStorage)."),
    h("label", {}, "API key ", input),
    h("button", { type: "submit" }, "Log in"),
    status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    setKey(input.value.trim());
    try {
      await loadSession();
      const target = session.whoami.admin ? "#/" : `#/p/${encodeURIComponent(session.whoami.key.project_id)}`;
      if (location.hash === target) render();
      else location.hash = target;  // hashchange renders
    } catch (error) {
      setKey(null);
      mount(status, h("p", { class: "error" }, errorText(error)));
    }
  });
  mount(nav);
  mount(who);
  logout.hidden = true;
  mount(main, form);
  input.focus();
}

async function loadSession() {
  session.whoami = await call("GET", "/whoami");
  const k = session.whoami.key;
  mount(who, session.whoami.admin ? "admin key" : `${k.project_id} · ${k.scope}${k.branch_id ? ` (${k.branch_id})` : ""}`);
  logout.hidden = false;
}

function navigation(project) {
  const links = [h("a", { href: "#/" }, "Overview")];
  if (project) {
    const p = encodeURIComponent(project);
    links.push(h("a", { href: `#/p/${p}` }, "Project"), h("a", { href: `#/p/${p}/files` }, "Files"),
      h("a", { href: `#/p/${p}/jobs` }, "Jobs"));
  }
  mount(nav, links);
}

// "#/p/<project>/b/<bucket>/t/<table>" -> the page (drawn into the element it is given) and its decoded
// parameters.
function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "p" && parts[1]) {
    const project = parts[1];
    if (parts[2] === "files") return { project, page: (view) => filesPage(view, project) };
    if (parts[2] === "jobs") return { project, page: (view) => jobsPage(view, project) };
    if (parts[2] === "b" && parts[4] === "t") return { project, page: (view) => tablePage(view, project, parts[3], parts[5]) };
    return { project, page: (view) => projectPage(view, project) };
  }
  const own = session.whoami?.key?.project_id;
  return { project: own, page: (view) => overviewPage(view) };
}

let stopPage = null;
let generation = 0;  // a render superseded by a later one (a quick second click) stops its page at once

async function render() {
  const mine = ++generation;
  stopPage?.();
  stopPage = null;
  if (!key()) return loginPage();
  try {
    if (!session.whoami) await loadSession();
  } catch (error) {
    setKey(null);
    session.whoami = null;
    return loginPage(error instanceof ApiError ? errorText(error) : String(error));
  }
  const { project, page } = route();
  navigation(project);
  // Each render draws into an element of its own: a page still loading when the next render starts (its
  // requests answer later) finishes into a detached element instead of drawing over the newer page.
  const view = h("div", {});
  mount(main, view);
  mount(view, h("p", {}, "Loading…"));
  try {
    const stop = (await page(view)) || null;
    if (mine === generation) stopPage = stop;
    else stop?.();
  } catch (error) {
    mount(view, h("p", { class: "error", id: "page-error" }, errorText(error)));
  }
}

logout.addEventListener("click", () => {
  setKey(null);
  session.whoami = null;
  location.hash = "#/";
  render();
});
window.addEventListener("hashchange", render);
render();
