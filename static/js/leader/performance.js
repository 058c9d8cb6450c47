// The Performance tab: the month's numbers (orders, sales, buyers, repurchase, commission, pickup
// and uncollected rates) as a small table, with a month picker.
import { $, el, month, percent, t, table } from "../common.js";
import { api, cash, guarded, state, submit } from "./context.js";

async function loadPerformance(chosen) {
  const rows = await api(`/performance${chosen ? `?month=${encodeURIComponent(chosen)}` : ""}`);
  const caption = chosen ? t("leader.performance.for_month", { month: month(chosen) }) : t("leader.performance.this_month");
  const out = $("performance-table");
  if (!rows.length) {
    out.replaceChildren(el("p", t("leader.performance.none", { caption }), { class: "muted" }));
    return;
  }
  const r = rows[0];
  out.replaceChildren(table([[t("leader.performance.measure"), (x) => x[0]], [t("leader.performance.value"), (x) => x[1]]], [
    [t("leader.performance.orders"), String(r.orders)],
    [t("leader.performance.sales"), cash(r.sales_cents)],
    [t("leader.performance.buyers"), String(r.unique_buyers)],
    [t("leader.performance.repurchase"), percent(r.repurchase_rate)],
    [t("leader.performance.commission"), cash(r.commission_cents)],
    [t("leader.performance.pickup_rate"), percent(r.pickup_rate)],
    [t("leader.performance.uncollected_rate"), percent(r.uncollected_rate)],
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
