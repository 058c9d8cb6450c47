// Audit log tab (owners, `audit.read`): who did what, newest first, filtered by who, action, object
// and day; the same filters download as CSV.
import { $, dateTime, el, t } from "../common.js";
import { api } from "./context.js";
import { csvButton, dataTable, pagedList, query, reportFailure } from "./ui.js";

/** The form's filters as the API takes them: days become the start of that day (this browser's clock). */
function filters() {
  const form = Object.fromEntries([...new FormData($("audit-filter"))]);
  const dayStart = (day, plus = 0) => {
    if (!day) return "";
    const at = new Date(`${day}T00:00`);
    at.setDate(at.getDate() + plus);
    return at.toISOString();
  };
  return { actor_id: form.actor_id, action: form.action, object_type: form.object_type, object_id: form.object_id,
    since: dayStart(form.since), until: dayStart(form.until, 1) };
}

/** What an entry changed, compactly: each row as table#id and the fields it touched. */
function changed(entry) {
  const list = el("ul", "", { class: "plain" });
  for (const c of entry.changes) {
    const fields = Object.keys(c.fields ?? c.after ?? c.values ?? {});
    list.append(el("li", `${c.table}${c.id ? `#${c.id}` : ""}: ${fields.join(", ")}`));
  }
  return list;
}

function render(entries) {
  return dataTable([
    [t("admin.audit.at"), (e) => dateTime(e.at)],
    [t("admin.audit.actor"), (e) => `${e.actor_name} (#${e.actor_id}, ${e.actor_role})`],
    [t("admin.audit.action"), (e) => e.action],
    [t("admin.audit.object"), (e) => (e.object_type ? `${e.object_type} ${e.object_id ?? ""}` : "")],
    [t("admin.audit.changes"), changed],
    [t("admin.audit.from"), (e) => e.ip_address ?? ""],
  ], entries, t("admin.tabs.audit"), { empty: t("admin.empty.audit") });
}

const list = pagedList($("audit-list"), {
  what: () => t("admin.what.audit"),
  size: 50,
  fetchPage: (page, size) => api(`/audit-log${query({ ...filters(), page, page_size: size })}`),
  render,
});

export function init() {
  $("audit-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    list.reload().catch(reportFailure);
  });
  $("audit-csv").replaceChildren(csvButton(() => `/audit-log.csv${query(filters())}`, () => "audit-log.csv",
    "", t("admin.audit.csv")));
}

export function show() {
  return list.reload();
}
