// Orders tab: every order, newest first, filtered by status, number and store-local dates.
import { $, date, dateTime, el, label, money, t } from "../common.js";
import { api } from "./context.js";
import { dataTable, pagedList, query, reportFailure } from "./ui.js";

const filters = () => Object.fromEntries([...new FormData($("orders-filter"))]);

function detail(order) {
  const box = $("order-detail");
  box.replaceChildren(
    el("h3", t("admin.orders.order", { number: order.number }), { tabindex: "-1" }),
    el("p", [label("order", order.status), label("fulfilment", order.fulfilment), order.group_name,
      t("admin.orders.pickup_at", { point: order.pickup_point?.name ?? "–", day: date(order.pickup_date) })].join(" · "),
    { class: "muted" }),
    dataTable([
      [t("admin.orders.product"), (l) => `${l.product_name} (${l.sku_name})`],
      [t("admin.orders.qty"), (l) => String(l.quantity), "num"],
      [t("admin.orders.unit_price"), (l) => money(l.unit_price_cents), "num"],
      [t("admin.orders.line_total"), (l) => money(l.line_total_cents), "num"],
      [t("admin.orders.refunded"), (l) => (l.refunded_quantity ? `${l.refunded_quantity} · ${money(l.refunded_cents)}` : ""), "num"],
    ], order.lines, t("admin.orders.lines_of", { number: order.number })),
    el("p", t("admin.orders.totals", { total: money(order.total_cents), paid: money(order.paid_cents),
      refunded: money(order.refunded_cents), placed: dateTime(order.created_at) })),
  );
  box.hidden = false;
  box.querySelector("h3").focus();
}

function render(orders) {
  return dataTable([
    [t("admin.orders.number_col"), (o) => el("button", o.number, { type: "button", class: "link",
      "aria-label": t("admin.orders.details", { number: o.number }), onclick: () => detail(o) })],
    [t("admin.orders.shopper"), (o) => o.shopper_name],
    [t("admin.orders.group"), (o) => o.group_name],
    [t("admin.orders.status"), (o) => el("span", label("order", o.status), { class: "badge" })],
    [t("admin.orders.fulfilment"), (o) => label("fulfilment", o.fulfilment)],
    [t("admin.orders.total"), (o) => money(o.total_cents), "num"],
    [t("admin.orders.placed"), (o) => dateTime(o.created_at)],
    [t("admin.orders.pickup_date"), (o) => date(o.pickup_date)],
  ], orders, t("admin.orders.caption"), { empty: t("admin.empty.orders") });
}

const list = pagedList($("orders-list"), {
  what: () => t("admin.what.orders"),
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
