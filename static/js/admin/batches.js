// Delivery batches tab: batches by day and status; a batch's orders, close and dispatch, and its
// pick list on screen and as CSV.
import { $, download, el } from "../common.js";
import { api, fmtDate, fmtDateTime, fmtMoney, words } from "./context.js";
import { actionButton, actions, dataTable, notify, pagedList, query, reportFailure } from "./ui.js";

const filters = () => Object.fromEntries([...new FormData($("batches-filter"))]);
const batchName = (b) => `${b.pickup_point.name}, ${fmtDate(b.delivery_date)}`;

function render(batches) {
  return dataTable([
    ["Delivery", (b) => fmtDate(b.delivery_date)],
    ["Pickup point", (b) => b.pickup_point.name],
    ["Status", (b) => el("span", words(b.status), { class: "badge" })],
    ["Orders", (b) => String(b.totals.orders), "num"],
    ["Units", (b) => String(b.totals.units), "num"],
    ["Amount", (b) => fmtMoney(b.totals.amount_cents), "num"],
    ["", (b) => actionButton("Open", () => open(b.id), { label: `Open batch ${batchName(b)}`, secondary: true })],
  ], batches, "Delivery batches");
}

const list = pagedList($("batches-list"), {
  what: "batches",
  size: 50,
  fetchPage: (page, size) => api(`/batches${query({ ...filters(), page, page_size: size })}`),
  render,
});

async function act(batch, verb) {
  const updated = await api(`/batches/${batch.id}/${verb}`, { method: "POST" });
  notify(`Batch ${batchName(updated)} is ${words(updated.status)}.`);
  await Promise.all([open(batch.id), list.reload()]);
}

function pickListTable(orders) {
  return dataTable([
    ["Order", (o) => o.order_number],
    ["Pickup code", (o) => o.pickup_code],
    ["Shopper", (o) => o.shopper_name ?? ""],
    ["Items", (o) => {
      const list = el("ul", "", { class: "plain" });
      for (const line of o.lines) {
        list.append(el("li", `${line.quantity} × ${line.product_name} (${line.sku_name}) · ${line.sku_code}`));
      }
      return list;
    }],
  ], orders, "Pick list");
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Show one batch: its state, actions, orders and pick list. */
export async function open(batchId) {
  const [batch, pickList] = await Promise.all([api(`/batches/${batchId}`), api(`/batches/${batchId}/pick-list`)]);
  const box = $("batch-detail");
  const heading = el("h3", `Batch: ${batchName(batch)}`, { tabindex: "-1" });
  const filename = `pick-list-${batch.delivery_date}-point-${batch.pickup_point.id}.csv`;
  box.replaceChildren(
    heading,
    el("p", `${words(batch.status)} · ${batch.pickup_point.address} · ${plural(batch.totals.orders, "order")}, ` +
      `${plural(batch.totals.units, "unit")}, ${fmtMoney(batch.totals.amount_cents)}` +
      (batch.closed_at ? ` · closed ${fmtDateTime(batch.closed_at)}` : "") +
      (batch.dispatched_at ? ` · dispatched ${fmtDateTime(batch.dispatched_at)}` : ""), { class: "muted" }),
    actions(
      batch.status === "open" && actionButton("Close batch", () => act(batch, "close")),
      batch.status === "closed" && actionButton("Dispatch", () => act(batch, "dispatch")),
      actionButton("Download pick list (CSV)", () => download(api, `/batches/${batch.id}/pick-list.csv`, filename),
        { secondary: true }),
    ),
    dataTable([
      ["Order", (o) => o.number],
      ["Shopper", (o) => o.shopper_name ?? ""],
      ["Status", (o) => words(o.status)],
      ["Fulfilment", (o) => words(o.fulfilment)],
      ["Units", (o) => String(o.lines.reduce((n, l) => n + l.quantity, 0)), "num"],
    ], batch.orders, "Orders in this batch"),
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
