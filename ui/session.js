// Who the logged-in key is (GET /whoami) and whether it may write: a branch_read key may not, so the pages
// disable their write controls (the server refuses such calls anyway).
export const session = { whoami: null };

export function canWrite() {
  const scope = session.whoami?.key?.scope;
  return Boolean(session.whoami?.admin || (scope !== undefined && scope !== "branch_read"));
}

// A write control: disabled, with the reason as its title, when the key may not write.
export function writeControl(el) {
  el.classList.add("write");
  if (!canWrite()) {
    el.disabled = true;
    el.title = "this key is read-only";
  }
  return el;
}
