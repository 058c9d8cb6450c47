// Payouts tab: leaders' withdrawal requests to approve or reject, what the store owes in
// commission, and the bank file of approved payouts.
import { $, el } from "../common.js";
import { api, fmtDateTime, fmtMoney, words } from "./context.js";
import { actionButton, actions, askReason, dataTable, figure, notify, pagedList, query, reportFailure } from "./ui.js";

const leaderOf = (p) => p.leader_name;

async function decide(payout, verb, body) {
  const updated = await api(`/payouts/${payout.id}/${verb}`, { method: "POST", body });
  notify(`Payout #${updated.id} to ${leaderOf(updated)} is ${words(updated.status)}.`);
  await Promise.all([list.reload(), loadLiability()]);
}

function decisionActions(p) {
  const what = `payout #${p.id} to ${leaderOf(p)}`;
  if (p.status === "requested") {
    return actions(
      actionButton("Approve", () => decide(p, "approve"), { label: `Approve ${what}` }),
      actionButton("Reject", () => askReason($("payout-detail"), {
        title: `Why is ${what} rejected? (the amount goes back to their balance)`,
        send: (reason) => decide(p, "reject", { reason }),
      }), { label: `Reject ${what}`, secondary: true }),
    );
  }
  return p.last_error || p.reason || p.bank_reference || "";
}

function render(payouts) {
  return dataTable([
    ["Payout", (p) => `#${p.id}`],
    ["Leader", leaderOf],
    ["Amount", (p) => fmtMoney(p.amount_cents), "num"],
    ["Fee", (p) => fmtMoney(p.fee_cents), "num"],
    ["Net", (p) => fmtMoney(p.net_cents), "num"],
    ["Via", (p) => words(p.provider)],
    ["Status", (p) => el("span", words(p.status), { class: "badge" })],
    ["Requested", (p) => fmtDateTime(p.created_at)],
    ["Decision", decisionActions],
  ], payouts, "Payouts");
}

const list = pagedList($("payouts-list"), {
  what: "payouts",
  size: 50,
  fetchPage: (page, size) => api(`/payouts${query({ status: $("payouts-status").value, page, page_size: size })}`),
  render,
});

async function loadLiability() {
  const owed = await api("/commissions/liability");
  $("liability").replaceChildren(
    figure("Owed in total", fmtMoney(owed.total_cents)), figure("Pending", fmtMoney(owed.pending_cents)),
    figure("Available", fmtMoney(owed.available_cents)), figure("Being withdrawn", fmtMoney(owed.withdrawing_cents)),
    figure("Paid out", fmtMoney(owed.paid_out_cents)));
}

/** The bank file: approved payouts not yet exported become exported (a POST, so not common.download). */
async function exportBankFile() {
  const response = await api("/payouts/export", { method: "POST", raw: true });
  const count = response.headers.get("X-Payout-Count");
  const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "")?.[1] || "payouts.csv";
  const url = URL.createObjectURL(await response.blob());
  const link = el("a", "", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  notify(`Bank file ${name}: ${count} payout(s).`);
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
