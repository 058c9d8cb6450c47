// How an order is shown in the console: its lines (with what is short or collected) and the
// columns of the order tables in a delivery and on the Waiting tab.
import { el, label, t } from "../common.js";
import { cash } from "./context.js";

function lineText(line) {
  const parts = [];
  if (line.shorted_quantity) parts.push(t("leader.orders.short", { count: line.shorted_quantity }));
  if (line.picked_up_quantity) parts.push(t("leader.orders.collected", { count: line.picked_up_quantity }));
  const text = `${line.product_name} · ${line.sku_name} × ${line.quantity}`;
  return parts.length ? t("leader.orders.line_with", { line: text, parts: parts.join(t("common.list_separator")) }) : text;
}

export function linesList(order) {
  const list = el("ul", "", { class: "lines" });
  for (const line of order.lines) list.append(el("li", lineText(line)));
  return list;
}

/** The columns of an order table (headers in the current language, so built when drawn). */
export function orderColumns() {
  return [
    [t("leader.orders.order"), (o) => o.number],
    [t("leader.orders.shopper"), (o) => o.shopper_name],
    [t("leader.orders.lines"), linesList],
    [t("leader.orders.status"), (o) => [label("fulfilment", o.fulfilment),
      o.amount_due_cents > 0 ? t("leader.orders.collect", { amount: cash(o.amount_due_cents) }) : ""].filter(Boolean).join(" · ")],
  ];
}
