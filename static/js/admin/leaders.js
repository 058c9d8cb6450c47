// Leader applications tab: pending applications (or any status), approve, reject with a reason.
import { $, el } from "../common.js";
import { api, fmtDateTime, words } from "./context.js";
import { actionButton, actions, askReason, dataTable, notify, pagedList, query, reportFailure } from "./ui.js";

async function decide(application, verb, body) {
  const updated = await api(`/leader-applications/${application.id}/${verb}`, { method: "POST", body });
  notify(`${updated.name}'s application is ${words(updated.status)}.`);
  await list.reload();
}

function decisionActions(a) {
  if (a.status !== "pending") return a.decision_reason ?? "";
  const who = `${a.name}'s application`;
  return actions(
    actionButton("Approve", () => decide(a, "approve"), { label: `Approve ${who}` }),
    actionButton("Reject", () => askReason($("application-detail"), {
      title: `Why is ${who} rejected? (the applicant sees this)`, send: (reason) => decide(a, "reject", { reason }),
    }), { label: `Reject ${who}`, secondary: true }),
  );
}

function render(applications) {
  return dataTable([
    ["Applicant", (a) => a.name],
    ["Phone", (a) => a.phone],
    ["Pickup point", (a) => {
      const cell = el("span", a.point_name);
      cell.append(el("br"), el("span", a.point_address, { class: "muted" }));
      return cell;
    }],
    ["Why", (a) => a.motivation ?? ""],
    ["Applied", (a) => fmtDateTime(a.created_at)],
    ["Status", (a) => el("span", words(a.status), { class: "badge" })],
    ["Decision", decisionActions],
  ], applications, "Leader applications");
}

const list = pagedList($("applications-list"), {
  what: "applications",
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
