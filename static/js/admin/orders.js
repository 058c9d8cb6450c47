// Orders tab: every order, newest first, filtered by status, number and store-local dates.
import { $, el } from "../common.js";
import { api, fmtDate, fmtDateTime, fmtMoney, words } from "./context.js";
import { dataTable, pagedList, query, reportFailure } from "./ui.js";

const filters = () => Object.fromEntries([...new FormData($("orders-filter"))]);

function detail(order) {
  const box = $("order-detail");
  box.replaceChildren(
    el("h3", `Order ${order.number}`, { tabindex: "-1" }),
    el("p", `${words(order.status)} · ${words(order.fulfilment)} · ${order.group_name} · ` +
      `pickup at ${order.pickup_point?.name ?? "–"} on ${fmtDate(order.pickup_date)}`, { class: "muted" }),
    dataTable([
      ["Product", (l) => `${l.product_name} (${l.sku_name})`],
      ["Qty", (l) => String(l.quantity), "num"],
      ["Unit price", (l) => fmtMoney(l.unit_price_cents), "num"],
      ["Line total", (l) => fmtMoney(l.line_total_cents), "num"],
      ["Refunded", (l) => (l.refunded_quantity ? `${l.refunded_quantity} · ${fmtMoney(l.refunded_cents)}` : ""), "num"],
    ], order.lines, `Lines of order ${order.number}`),
    el("p", `Total ${fmtMoney(order.total_cents)} · paid ${fmtMoney(order.paid_cents)} · ` +
      `refunded ${fmtMoney(order.refunded_cents)} · placed ${fmtDateTime(order.created_at)}`),
  );
  box.hidden = false;
  box.querySelector("h3").focus();
}

function render(orders) {
  return dataTable([
    ["Number", (o) => el("button", o.number, { type: "button", class: "link", "aria-label": `Order ${o.number} details`,
                                               onclick: () => detail(o) })],
    ["Shopper", (o) => o.shopper_name],
    ["Group", (o) => o.group_name],
    ["Status", (o) => el("span", words(o.status), { class: "badge" })],
    ["Fulfilment", (o) => words(o.fulfilment)],
    ["Total", (o) => fmtMoney(o.total_cents), "num"],
    ["Placed", (o) => fmtDateTime(o.created_at)],
    ["Pickup date", (o) => fmtDate(o.pickup_date)],
  ], orders, "Orders, newest first");
}

const list = pagedList($("orders-list"), {
  what: "orders",
  fetchPage: (page, size) => api(`/orders${query({ ...filters(), page, page_size: size })}`),
  render,
});

export function init() {
  $("orders-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    $("order-detail").hidden = true;
    list.reload().catch(reportFailure);
  });
}

export function show() {
  return list.reload();
}
