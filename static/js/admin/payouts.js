// Payouts tab: leaders' withdrawal requests to approve or reject, what the store owes in
// commission, and the bank file of approved payouts.
import { $, confirmAction, dateTime, el, label, money, t } from "../common.js";
import { api, can } from "./context.js";
import { actionButton, actions, askReason, dataTable, figure, notify, pagedList, query, reportFailure } from "./ui.js";

const leaderOf = (p) => p.leader_name;

async function decide(payout, verb, body) {
  const updated = await api(`/payouts/${payout.id}/${verb}`, { method: "POST", body });
  notify(t("admin.payouts.decided", { id: updated.id, leader: leaderOf(updated), status: label("payout", updated.status) }));
  await Promise.all([list.reload(), loadLiability()]);
}

function decisionActions(p) {
  const what = { id: p.id, leader: leaderOf(p) };
  if (p.status === "requested" && can("payouts.approve")) {
    return actions(
      actionButton(t("admin.approve"), () => confirmAction({ title: t("admin.confirm.payout_title", what),
        message: t("admin.confirm.payout_message", { amount: money(p.amount_cents) }), confirm: t("admin.approve"),
        onConfirm: () => decide(p, "approve") }), { label: t("admin.payouts.approve_named", what) }),
      actionButton(t("admin.reject"), () => askReason($("payout-detail"), {
        title: t("admin.payouts.why_reject", what), send: (reason) => decide(p, "reject", { reason }),
      }), { label: t("admin.payouts.reject_named", what), secondary: true }),
    );
  }
  return p.last_error || p.reason || p.bank_reference || "";
}

function render(payouts) {
  return dataTable([
    [t("admin.payouts.payout"), (p) => `#${p.id}`],
    [t("admin.payouts.leader"), leaderOf],
    [t("admin.batches.amount"), (p) => money(p.amount_cents), "num"],
    [t("admin.payouts.fee"), (p) => money(p.fee_cents), "num"],
    [t("admin.payouts.net"), (p) => money(p.net_cents), "num"],
    [t("admin.payouts.via"), (p) => label("provider", p.provider)],
    [t("admin.orders.status"), (p) => el("span", label("payout", p.status), { class: "badge" })],
    [t("admin.payouts.requested_col"), (p) => dateTime(p.created_at)],
    [t("admin.applications.decision"), decisionActions],
  ], payouts, t("admin.tabs.payouts"), { empty: t("admin.empty.payouts") });
}

const list = pagedList($("payouts-list"), {
  what: () => t("admin.what.payouts"),
  size: 50,
  fetchPage: (page, size) => api(`/payouts${query({ status: $("payouts-status").value, page, page_size: size })}`),
  render,
});

async function loadLiability() {
  $("liability").hidden = !can("commissions.read");
  if ($("liability").hidden) return;
  const owed = await api("/commissions/liability");
  $("liability").replaceChildren(
    figure(t("admin.payouts.owed_total"), money(owed.total_cents)), figure(t("status.bucket.pending"), money(owed.pending_cents)),
    figure(t("status.bucket.available"), money(owed.available_cents)),
    figure(t("admin.payouts.withdrawing"), money(owed.withdrawing_cents)),
    figure(t("status.bucket.paid_out"), money(owed.paid_out_cents)));
}

/** The bank file: approved payouts not yet exported become exported (a POST, so not common.download). */
async function exportBankFile() {
  const response = await api("/payouts/export", { method: "POST", raw: true });
  const count = Number(response.headers.get("X-Payout-Count"));
  const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "")?.[1] || "payouts.csv";
  const url = URL.createObjectURL(await response.blob());
  const link = el("a", "", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  notify(t("admin.payouts.exported", { name, count }));
  await list.reload();
}

export function init() {
  $("payouts-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    list.reload().catch(reportFailure);
  });
  $("payouts-export").addEventListener("click", () => exportBankFile().catch(reportFailure));
}

export async function show() {
  $("payout-detail").replaceChildren();
  await Promise.all([list.reload(), loadLiability()]);
}
