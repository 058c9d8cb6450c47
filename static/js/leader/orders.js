// How an order is shown in the console: its lines (with what is short or collected) and the
// columns of the order tables in a delivery and on the Waiting tab.
import { el, money } from "../common.js";
import { FULFILMENT, state } from "./context.js";

function lineText(line) {
  const parts = [];
  if (line.shorted_quantity) parts.push(`${line.shorted_quantity} short`);
  if (line.picked_up_quantity) parts.push(`${line.picked_up_quantity} collected`);
  const extra = parts.length ? ` (${parts.join(", ")})` : "";
  return `${line.product_name} · ${line.sku_name} × ${line.quantity}${extra}`;
}

export function linesList(order) {
  const list = el("ul", "", { class: "lines" });
  for (const line of order.lines) list.append(el("li", lineText(line)));
  return list;
}

export const ORDER_COLUMNS = [
  ["Order", (o) => o.number],
  ["Shopper", (o) => o.shopper_name],
  ["Lines", linesList],
  ["Status", (o) => [FULFILMENT[o.fulfilment] || o.fulfilment,
    o.amount_due_cents > 0 ? `collect ${money(o.amount_due_cents, state.currency)}` : ""].filter(Boolean).join(" · ")],
];
