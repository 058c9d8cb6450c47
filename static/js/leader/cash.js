// The cash the leader owes the merchant: pay-at-pickup money taken at handovers, less what was
// remitted, paid back to shoppers, or netted against a commission payout (GET /leader/cash).
import { $, dateTime, el, label, t } from "../common.js";
import { api, cards, cash, guarded } from "./context.js";

/** The entry's effect on what the leader owes: its `owed` line (positive: owes more). */
const owedDelta = (entry) => entry.lines.find((line) => line.bucket === "owed")?.amount_cents ?? 0;

function what(entry) {
  const parts = [label("cash", entry.kind)];
  if (entry.order_id) parts.push(t("leader.cash.order", { id: entry.order_id }));
  if (entry.payout_id) parts.push(t("leader.cash.payout", { id: entry.payout_id }));
  if (entry.reference) parts.push(entry.reference);
  return parts.join(" · ");
}

export async function loadCash() {
  await guarded($("earnings-error"), async () => {
    const mine = await api("/cash");
    const card = $("cash-owed");
    const summary = mine.owed_cents > 0 && mine.oldest_at
      ? t("leader.cash.owed_since", { amount: cash(mine.owed_cents), when: dateTime(mine.oldest_at) })
      : t("leader.cash.owed", { amount: cash(mine.owed_cents) });
    card.replaceChildren(el("h3", t("leader.cash.title")), el("p", summary, { class: "amount", id: "cash-owed-amount" }),
      el("p", t("leader.cash.help"), { class: "muted" }),
      cards([
        [t("leader.earnings.when"), (e) => dateTime(e.created_at)],
        [t("leader.earnings.what"), what],
        [t("leader.earnings.amount_col"), (e) => cash(owedDelta(e))],
      ], mine.entries, t("leader.cash.entries"), t("leader.cash.none")));
  });
}
