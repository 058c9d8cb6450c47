// Delivery batches tab: batches by day and status; a batch's orders, close and dispatch, and its
// pick list on screen and as CSV.
import { $, confirmAction, date, dateTime, download, el, label, money, t } from "../common.js";
import { api, can } from "./context.js";
import { actionButton, actions, dataTable, notify, pagedList, query, reportFailure } from "./ui.js";

const filters = () => Object.fromEntries([...new FormData($("batches-filter"))]);
const batchName = (b) => `${b.pickup_point.name}, ${date(b.delivery_date)}`;

function render(batches) {
  return dataTable([
    [t("admin.batches.delivery"), (b) => date(b.delivery_date)],
    [t("admin.batches.point"), (b) => b.pickup_point.name],
    [t("admin.orders.status"), (b) => el("span", label("batch", b.status), { class: "badge" })],
    [t("admin.batches.orders"), (b) => String(b.totals.orders), "num"],
    [t("admin.campaigns.units"), (b) => String(b.totals.units), "num"],
    [t("admin.batches.amount"), (b) => money(b.totals.amount_cents), "num"],
    ["", (b) => actionButton(t("admin.batches.open"), () => open(b.id),
      { label: t("admin.batches.open_named", { name: batchName(b) }), secondary: true })],
  ], batches, t("admin.tabs.batches"), { empty: t("admin.empty.batches") });
}

const list = pagedList($("batches-list"), {
  what: () => t("admin.what.batches"),
  size: 50,
  fetchPage: (page, size) => api(`/batches${query({ ...filters(), page, page_size: size })}`),
  render,
});

// Closing stops orders for the day and dispatching tells the leader the goods are on the way:
// neither can be undone, so both ask first and say what will happen.
const CONFIRM = {
  close: { title: "admin.confirm.close_title", message: "admin.confirm.close_message", confirm: "admin.batches.close" },
  dispatch: { title: "admin.confirm.dispatch_title", message: "admin.confirm.dispatch_message", confirm: "admin.batches.dispatch" },
};

function confirmAct(batch, verb) {
  const keys = CONFIRM[verb];
  return confirmAction({ title: t(keys.title, { name: batchName(batch) }), message: t(keys.message, { count: batch.totals.orders }),
    confirm: t(keys.confirm), onConfirm: () => act(batch, verb) });
}

async function act(batch, verb) {
  const updated = await api(`/batches/${batch.id}/${verb}`, { method: "POST" });
  notify(t("admin.batches.changed", { name: batchName(updated), status: label("batch", updated.status) }));
  await Promise.all([open(batch.id), list.reload()]);
}

function pickListTable(orders) {
  return dataTable([
    [t("admin.orders.order_col"), (o) => o.order_number],
    [t("admin.batches.pickup_code"), (o) => o.pickup_code],
    [t("admin.orders.shopper"), (o) => o.shopper_name ?? ""],
    [t("admin.campaigns.items"), (o) => {
      const lines = el("ul", "", { class: "plain" });
      for (const line of o.lines) {
        lines.append(el("li", `${line.quantity} × ${line.product_name} (${line.sku_name}) · ${line.sku_code}`));
      }
      return lines;
    }],
  ], orders, t("admin.batches.pick_list"), { empty: t("admin.empty.pick_list") });
}

/** Show one batch: its state, actions, orders and pick list. */
export async function open(batchId) {
  const [batch, pickList] = await Promise.all([api(`/batches/${batchId}`), api(`/batches/${batchId}/pick-list`)]);
  const box = $("batch-detail");
  const heading = el("h3", t("admin.batches.title", { name: batchName(batch) }), { tabindex: "-1" });
  const filename = `pick-list-${batch.delivery_date}-point-${batch.pickup_point.id}.csv`;
  const facts = [label("batch", batch.status), batch.pickup_point.address,
    [t("common.count.orders", { count: batch.totals.orders }), t("common.count.units", { count: batch.totals.units }),
      money(batch.totals.amount_cents)].join(t("common.list_separator"))];
  if (batch.closed_at) facts.push(t("admin.batches.closed_at", { when: dateTime(batch.closed_at) }));
  if (batch.dispatched_at) facts.push(t("admin.batches.dispatched_at", { when: dateTime(batch.dispatched_at) }));
  box.replaceChildren(
    heading,
    el("p", facts.join(" · "), { class: "muted" }),
    actions(
      can("batches.manage") && batch.status === "open" && actionButton(t("admin.batches.close"), () => confirmAct(batch, "close")),
      can("batches.manage") && batch.status === "closed" && actionButton(t("admin.batches.dispatch"), () => confirmAct(batch, "dispatch")),
      actionButton(t("admin.batches.download"), () => download(api, `/batches/${batch.id}/pick-list.csv`, filename),
        { secondary: true }),
    ),
    dataTable([
      [t("admin.orders.order_col"), (o) => o.number],
      [t("admin.orders.shopper"), (o) => o.shopper_name ?? ""],
      [t("admin.orders.status"), (o) => label("order", o.status)],
      [t("admin.orders.fulfilment"), (o) => label("fulfilment", o.fulfilment)],
      [t("admin.campaigns.units"), (o) => String(o.lines.reduce((n, l) => n + l.quantity, 0)), "num"],
    ], batch.orders, t("admin.batches.orders_in"), { empty: t("admin.empty.batch_orders") }),
    pickListTable(pickList),
  );
  box.hidden = false;
  heading.focus();
}

export function init() {
  $("batches-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    list.reload().catch(reportFailure);
  });
}

export function show() {
  return list.reload();
}
