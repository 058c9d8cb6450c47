// Purchasing tab: the purchase plan of a delivery day (each term per SKU, the proposed purchase
// orders, editable and confirmed once each), purchase orders (send, cancel, CSV, printable page)
// with receipt against them, and the suppliers (./suppliers.js). docs/purchasing.md.
import { $, date, dateTime, download, el, label, money, newKey, percent, storeToday, t } from "../common.js";
import { api, can } from "./context.js";
import { actionButton, actions, dataTable, notify, pagedList, query, reportFailure } from "./ui.js";
import * as suppliers from "./suppliers.js";

// Keys spelt out so the catalogue check sees each one used (tests/web_i18n.py).
const PLAN_TERMS = {
  confirmed: "admin.purchasing.term.confirmed", subscriptions: "admin.purchasing.term.subscriptions",
  late: "admin.purchasing.term.late", replenishment: "admin.purchasing.term.replenishment",
  safety_stock: "admin.purchasing.term.safety_stock", on_hand: "admin.purchasing.term.on_hand",
  on_order: "admin.purchasing.term.on_order", need: "admin.purchasing.term.need",
};
const COUNTED = {
  accepted: ["admin.purchasing.accepted", "admin.purchasing.accepted_of"],
  rejected: ["admin.purchasing.rejected", "admin.purchasing.rejected_of"],
  short: ["admin.purchasing.short", "admin.purchasing.short_of"],
};
const tomorrow = () => {
  const d = new Date(`${storeToday()}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
};
const number = (value) => el("input", "", { type: "number", min: "0", step: "1", value: String(value), inputmode: "numeric",
  class: "qty" });

function planTable(plan) {
  return dataTable([
    [t("admin.purchasing.sku"), (r) => `${r.product_name} (${r.sku_name}) · ${r.sku_code}`],
    ...Object.entries(PLAN_TERMS).map(([term, key]) => [t(key), (r) => String(r[term]), "num"]),
  ], plan.lines, t("admin.purchasing.plan_caption", { day: date(plan.delivery_date) }), { empty: t("admin.empty.plan") });
}

/** One proposed purchase order: quantities editable, confirmed once (its key) into a draft. */
function proposalCard(proposal) {
  const card = el("article", "", { class: "card" });
  const inputs = new Map();
  const rows = dataTable([
    [t("admin.purchasing.sku"), (ln) => `${ln.product_name} (${ln.sku_name})${ln.late_delivery ? ` · ${t("admin.purchasing.late_delivery")}` : ""}`],
    [t("admin.purchasing.term.need"), (ln) => String(ln.need), "num"],
    [t("admin.purchasing.min_units"), (ln) => String(ln.min_units), "num"],
    [t("admin.purchasing.unit_cost"), (ln) => money(ln.unit_cost_cents), "num"],
    [t("admin.purchasing.quantity"), (ln) => {
      const input = number(ln.quantity);
      input.setAttribute("aria-label", t("admin.purchasing.quantity_of", { name: ln.product_name }));
      inputs.set(ln.sku_id, input);
      return input;
    }],
  ], proposal.lines, t("admin.purchasing.proposal", { supplier: proposal.supplier_name }));
  const facts = [t("admin.purchasing.total", { amount: money(proposal.total_cents) })];
  if (proposal.below_minimum) facts.push(t("admin.purchasing.below_minimum", { amount: money(proposal.min_order_cents) }));
  card.append(el("h4", proposal.supplier_name), el("p", facts.join(" · "), { class: proposal.below_minimum ? "error" : "muted" }),
    rows);
  if (can("purchasing.manage")) {
    // A key per card: a double click or a retry confirms one order; a changed proposal gets a new card.
    const key = `${proposal.confirm_key}-${newKey().slice(0, 8)}`;
    card.append(actions(actionButton(t("admin.purchasing.confirm"), async () => {
      const lines = proposal.lines.map((ln) => ({ sku_id: ln.sku_id, quantity: Number(inputs.get(ln.sku_id).value) }))
        .filter((ln) => ln.quantity > 0);
      const po = await api("/purchase-orders", { method: "POST", body: {
        supplier_id: proposal.supplier_id, delivery_date: proposal.delivery_date, confirm_key: key, lines } });
      notify(t("admin.purchasing.confirmed", { number: po.number }));
      await Promise.all([orders.reload(), openOrder(po.id)]);
    })));
  }
  return card;
}

async function showPlan(day) {
  const plan = await api(`/purchase-plan${query({ delivery_date: day })}`);
  const state = plan.final ? t("admin.purchasing.final", { when: dateTime(plan.cutoff_at) })
    : t("admin.purchasing.forecast", { when: dateTime(plan.cutoff_at), share: percent(plan.late_share) });
  const box = $("plan-result");
  box.replaceChildren(el("p", state, { class: plan.final ? "ok" : "muted", "data-plan-state": plan.final ? "final" : "forecast" }),
    planTable(plan));
  if (plan.unsourced.length) box.append(el("p", t("admin.purchasing.unsourced", { count: plan.unsourced.length }), { class: "error" }));
  if (!plan.proposals.length) box.append(el("p", t("admin.purchasing.nothing_to_buy"), { class: "muted" }));
  for (const proposal of plan.proposals) box.append(proposalCard(proposal));
}

const orders = pagedList($("po-list"), {
  what: () => t("admin.purchasing.orders"),
  size: 20,
  fetchPage: (page, size) => api(`/purchase-orders${query({ page, page_size: size })}`),
  render: (items) => dataTable([
    [t("admin.purchasing.number"), (po) => po.number],
    [t("admin.purchasing.supplier"), (po) => po.supplier_name],
    [t("admin.batches.delivery"), (po) => date(po.delivery_date)],
    [t("admin.orders.status"), (po) => el("span", label("po", po.status), { class: "badge" })],
    [t("admin.batches.amount"), (po) => money(po.total_cents), "num"],
    ["", (po) => actionButton(t("admin.batches.open"), () => openOrder(po.id),
      { label: t("admin.purchasing.open_named", { number: po.number }), secondary: true })],
  ], items, t("admin.purchasing.orders"), { empty: t("admin.empty.purchase_orders") }),
});

async function move(po, verb) {
  const updated = await api(`/purchase-orders/${po.id}/${verb}`, { method: "POST" });
  notify(t("admin.purchasing.changed", { number: updated.number, status: label("po", updated.status) }));
  await Promise.all([openOrder(po.id), orders.reload()]);
}

/** The printable page in a new window: fetched with the token, shown from a blob. */
async function printPage(po) {
  const response = await api(`/purchase-orders/${po.id}/print`, { raw: true });
  const url = URL.createObjectURL(await response.blob());
  window.open(url, "_blank", "noopener");
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Check in a delivery: per line accepted, rejected (with a reason) and short. */
function receiptForm(po, names) {
  const form = el("form", "", { class: "card", id: "receipt-form" });
  const open = po.lines.filter((ln) => ln.outstanding > 0);
  const fields = new Map();
  const table = dataTable([
    [t("admin.purchasing.sku"), (ln) => names.get(ln.sku_id) ?? String(ln.sku_id)],
    [t("admin.purchasing.outstanding"), (ln) => String(ln.outstanding), "num"],
    ...Object.entries(COUNTED).map(([kind, [heading, of]]) => [t(heading), (ln) => {
      const input = number(kind === "accepted" ? ln.outstanding : 0);
      input.name = `${kind}-${ln.sku_id}`;
      input.setAttribute("aria-label", t(of, { name: names.get(ln.sku_id) ?? ln.sku_id }));
      fields.set(input.name, input);
      return input;
    }]),
    [t("admin.purchasing.reject_reason"), (ln) => {
      const input = el("input", "", { name: `reason-${ln.sku_id}`, maxlength: "200", autocomplete: "off" });
      input.setAttribute("aria-label", t("admin.purchasing.reject_reason"));
      fields.set(input.name, input);
      return input;
    }],
  ], open, t("admin.purchasing.receive"));
  const error = el("p", "", { class: "error", role: "alert" });
  form.append(table, el("button", t("admin.purchasing.receive"), { type: "submit" }), error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const value = (name) => Number(fields.get(name).value || 0);
    const lines = open.map((ln) => ({ sku_id: ln.sku_id, accepted: value(`accepted-${ln.sku_id}`),
      rejected: value(`rejected-${ln.sku_id}`), short: value(`short-${ln.sku_id}`),
      reject_reason: fields.get(`reason-${ln.sku_id}`).value.trim() || null }))
      .filter((ln) => ln.accepted || ln.rejected || ln.short);
    try {
      await api(`/purchase-orders/${po.id}/receipts`, { method: "POST", body: { lines } });
      notify(t("admin.purchasing.received", { number: po.number }));
      await Promise.all([openOrder(po.id), orders.reload()]);
    } catch (failure) {
      error.textContent = failure.message;
    }
  });
  return form;
}

/** One purchase order: its lines and what arrived, its actions and (when sent) the receipt form. */
export async function openOrder(poId) {
  const [po, products] = await Promise.all([api(`/purchase-orders/${poId}`), suppliers.skuNames()]);
  const box = $("po-detail");
  const heading = el("h3", t("admin.purchasing.order_title", { number: po.number, supplier: po.supplier_name }), { tabindex: "-1" });
  const manage = can("purchasing.manage");
  box.replaceChildren(heading,
    el("p", [label("po", po.status), date(po.delivery_date), money(po.total_cents)].join(" · "), { class: "muted", "data-po-status": po.status }),
    actions(
      manage && po.status === "draft" && actionButton(t("admin.purchasing.send"), () => move(po, "send")),
      manage && ["draft", "sent"].includes(po.status) && actionButton(t("admin.purchasing.cancel"), () => move(po, "cancel"), { secondary: true }),
      actionButton(t("admin.purchasing.print"), () => printPage(po), { secondary: true }),
      actionButton(t("admin.csv"), () => download(api, `/purchase-orders/${po.id}.csv`, `purchase-order-${po.number}.csv`),
        { secondary: true, label: t("admin.csv_of", { what: po.number }) }),
    ),
    dataTable([
      [t("admin.purchasing.sku"), (ln) => products.get(ln.sku_id) ?? String(ln.sku_id)],
      [t("admin.purchasing.quantity"), (ln) => String(ln.quantity), "num"],
      [t("admin.purchasing.unit_cost"), (ln) => money(ln.unit_cost_cents), "num"],
      [t("admin.purchasing.accepted"), (ln) => String(ln.accepted), "num"],
      [t("admin.purchasing.rejected"), (ln) => String(ln.rejected), "num"],
      [t("admin.purchasing.short"), (ln) => String(ln.short), "num"],
    ], po.lines, t("admin.purchasing.lines")));
  if (can("purchasing.receive") && ["sent", "partly_received"].includes(po.status)) box.append(receiptForm(po, products));
  box.hidden = false;
  heading.focus();
}

export function init() {
  $("plan-date").value = tomorrow();
  $("plan-form").addEventListener("submit", (event) => {
    event.preventDefault();
    showPlan($("plan-date").value).catch(reportFailure);
  });
  suppliers.init();
}

export async function show() {
  await Promise.all([showPlan($("plan-date").value), orders.reload(), suppliers.show()]);
}
