// Leader applications tab: pending applications (or any status), approve, reject with a reason.
import { $, confirmAction, dateTime, el, label, t } from "../common.js";
import { api, can } from "./context.js";
import { actionButton, actions, askReason, dataTable, notify, pagedList, query, reportFailure } from "./ui.js";

async function decide(application, verb, body) {
  const updated = await api(`/leader-applications/${application.id}/${verb}`, { method: "POST", body });
  notify(t("admin.applications.decided", { name: updated.name, status: label("application", updated.status) }));
  await list.reload();
}

function decisionActions(a) {
  if (a.status !== "pending") return a.decision_reason ?? "";
  if (!can("leaders.manage")) return "";
  return actions(
    actionButton(t("admin.approve"), () => confirmAction({ title: t("admin.confirm.application_title", { name: a.name }),
      message: t("admin.confirm.application_message"), confirm: t("admin.approve"), onConfirm: () => decide(a, "approve") }), { label: t("admin.applications.approve_named", { name: a.name }) }),
    actionButton(t("admin.reject"), () => askReason($("application-detail"), {
      title: t("admin.applications.why_reject", { name: a.name }), send: (reason) => decide(a, "reject", { reason }),
    }), { label: t("admin.applications.reject_named", { name: a.name }), secondary: true }),
  );
}

function render(applications) {
  return dataTable([
    [t("admin.applications.applicant"), (a) => a.name],
    [t("admin.applications.phone"), (a) => a.phone],
    [t("admin.applications.point"), (a) => {
      const cell = el("span", a.point_name);
      cell.append(el("br"), el("span", a.point_address, { class: "muted" }));
      return cell;
    }],
    [t("admin.applications.why"), (a) => a.motivation ?? ""],
    [t("admin.applications.applied"), (a) => dateTime(a.created_at)],
    [t("admin.orders.status"), (a) => el("span", label("application", a.status), { class: "badge" })],
    [t("admin.applications.decision"), decisionActions],
  ], applications, t("admin.tabs.applications"), { empty: t("admin.empty.applications") });
}

const list = pagedList($("applications-list"), {
  what: () => t("admin.what.applications"),
  fetchPage: (page, size) => api(`/leader-applications${query({ status: $("applications-status").value, page, page_size: size })}`),
  render,
});

export function init() {
  $("applications-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    list.reload().catch(reportFailure);
  });
}

export function show() {
  $("application-detail").replaceChildren();
  return list.reload();
}
