// Payouts tab: leaders' withdrawal requests to approve (four-eyes: one staff member proposes, a
// colleague approves) or reject, with the pickup cash netted at approval; what the store owes in
// commission, and the bank file of approved payouts.
import { $, confirmAction, dateTime, el, label, money, t } from "../common.js";
import { api, can, state } from "./context.js";
import { actionButton, actions, askReason, dataTable, figure, notify, pagedList, query, reportFailure } from "./ui.js";

const leaderOf = (p) => p.leader_name;

async function reloadAll() {
  await Promise.all([list.reload(), loadLiability(), loadLeaderCash()]);
}

async function reject(payout, reason) {
  const updated = await api(`/payouts/${payout.id}/reject`, { method: "POST", body: { reason } });
  notify(t("admin.payouts.decided", { id: updated.id, leader: leaderOf(updated), status: label("payout", updated.status) }));
  await reloadAll();
}

/** The first pair of eyes: a proposal a colleague must approve. */
async function propose(payout) {
  await api(`/payouts/${payout.id}/approve`, { method: "POST" });
  notify(t("admin.payouts.proposed", { id: payout.id, leader: leaderOf(payout) }));
  await reloadAll();
}

/** The second pair: approving the colleague's proposal approves the payout (and nets the cash owed). */
async function approveProposal(payout) {
  await api(`/payout-requests/${payout.pending_approval.id}/approve`, { method: "POST" });
  const updated = await api(`/payouts/${payout.id}`);
  notify(t("admin.payouts.decided", { id: updated.id, leader: leaderOf(updated), status: label("payout", updated.status) }));
  await reloadAll();
}

function approveButton(p, what) {
  const pending = p.pending_approval;
  if (pending && pending.requested_by_id === state.me?.id) {
    return el("span", t("admin.payouts.waiting_colleague"), { class: "muted" });
  }
  const message = pending ? t("admin.payouts.second_message", { name: pending.requested_by_name, amount: money(p.amount_cents) })
    : t("admin.confirm.payout_message", { amount: money(p.amount_cents) });
  return actionButton(t("admin.approve"), () => confirmAction({ title: t("admin.confirm.payout_title", what), message,
    confirm: t("admin.approve"), onConfirm: () => (pending ? approveProposal(p) : propose(p)) }),
  { label: pending ? t("admin.payouts.second_approve_named", what) : t("admin.payouts.approve_named", what) });
}

function decisionActions(p) {
  const what = { id: p.id, leader: leaderOf(p) };
  if (p.status === "requested" && can("payouts.approve")) {
    return actions(
      approveButton(p, what),
      actionButton(t("admin.reject"), () => askReason($("payout-detail"), {
        title: t("admin.payouts.why_reject", what), send: (reason) => reject(p, reason),
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
    [t("admin.payouts.netted"), (p) => money(p.cash_netted_cents), "num"],
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

/** Pickup cash each leader still owes (netted from their next payout, or remitted), oldest first in age. */
async function loadLeaderCash() {
  if (!can("commissions.read")) return;
  const owed = await api("/leader-cash");
  $("leader-cash").replaceChildren(dataTable([
    [t("admin.payouts.leader"), (r) => r.leader_name],
    [t("admin.cash.owed"), (r) => money(r.owed_cents), "num"],
    [t("admin.cash.oldest"), (r) => (r.oldest_at ? dateTime(r.oldest_at) : "–")],
    [t("admin.cash.age"), (r) => t("admin.cash.days", { count: r.age_days }), "num"],
  ], owed, t("admin.cash.title"), { empty: t("admin.empty.cash_owed") }));
}

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
  await reloadAll();
}
