// The Performance tab: the month's numbers (orders, sales, buyers, repurchase, commission, pickup
// and uncollected rates) as a small table, with a month picker.
import { $, el, percent, table } from "../common.js";
import { api, cash, guarded, state, submit } from "./context.js";

async function loadPerformance(month) {
  const rows = await api(`/performance${month ? `?month=${encodeURIComponent(month)}` : ""}`);
  const caption = month ? `Your numbers for ${month}` : "Your numbers this month";
  const out = $("performance-table");
  if (!rows.length) {
    out.replaceChildren(el("p", `${caption}: no paid orders yet.`, { class: "muted" }));
    return;
  }
  const r = rows[0];
  out.replaceChildren(table([["Measure", (x) => x[0]], ["Value", (x) => x[1]]], [
    ["Orders", String(r.orders)],
    ["Sales (paid less refunded)", cash(r.sales_cents)],
    ["Buyers", String(r.unique_buyers)],
    ["Repurchase rate", percent(r.repurchase_rate)],
    ["Commission", cash(r.commission_cents)],
    ["Pickup rate", percent(r.pickup_rate)],
    ["Uncollected rate", percent(r.uncollected_rate)],
  ], caption));
}

/** The first time the tab is shown (after each login), this month's numbers. */
export function showPerformance() {
  if (state.performanceShown) return;
  state.performanceShown = true;
  guarded($("performance-form").querySelector("[data-error]"), () => loadPerformance(""));
}

export function initPerformance() {
  submit($("performance-form"), (fields) => loadPerformance(fields.month));
}
