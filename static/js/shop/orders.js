// My orders: status, where the goods are, the pickup day and window, and the pickup code as text and
// as a QR code for the leader to scan; paying an unpaid order (card, pre-sale balance) or cancelling it.
import { $, ApiError, el, money } from "../common.js";
import { api, clock, on, report, state, when } from "./context.js";
import { confirmWithCard } from "./stripe.js";

const STATUS = {
  pending_payment: "Waiting for payment", deposit_paid: "Deposit paid", confirmed: "Confirmed, pay at pickup",
  paid: "Paid", partially_refunded: "Partly refunded", refunded: "Refunded", cancelled: "Cancelled", expired: "Expired",
};
const WHERE = {
  pending: "Not yet scheduled", scheduled: "On its way", ready_for_pickup: "Ready for pickup",
  partially_picked_up: "Partly picked up", picked_up: "Picked up", uncollected: "Not collected", not_delivered: "Not delivered",
};

/** The QR code of the text the API gives for the order, drawn by the vendored qrcode-generator. */
function qrImage(text, pickupCode) {
  const qr = window.qrcode(0, "M");
  qr.addData(text);
  qr.make();
  return el("img", "", { src: qr.createDataURL(5, 8), alt: `QR code for pickup code ${pickupCode}`, class: "qr", width: 160, height: 160 });
}

async function act(box, action) {
  box.textContent = "";
  try {
    await action();
    await renderOrders();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    box.textContent = error.message;
  }
}

async function pay(order) {
  const opened = await api(`/orders/${order.id}/pay`, { method: "POST" });
  if (!opened.payment?.client_secret || !state.config.stripe_publishable_key) {
    throw new ApiError(409, "Card payments are not available in this store");
  }
  await confirmWithCard(opened.payment.client_secret, { label: `Pay ${money(opened.payment.amount_cents, order.currency)}` });
  await api(`/orders/${order.id}/refresh-payment`, { method: "POST" });
}

function orderCard(order) {
  const article = el("article", "", { class: "card order", "data-order": order.number });
  article.append(el("h3", `Order ${order.number}`));
  const status = `${STATUS[order.status] ?? order.status} · ${WHERE[order.fulfilment] ?? order.fulfilment}`;
  article.append(el("p", status, { class: "order-status" }));
  for (const line of order.lines) {
    article.append(el("p", `${line.product_name} ${line.sku_name} × ${line.quantity} — ${money(line.line_total_cents, order.currency)}`, { class: "muted" }));
  }
  article.append(el("p", `Total ${money(order.total_cents, order.currency)}`, { class: "price" }));
  if (order.amount_due_cents) article.append(el("p", `To pay at pickup: ${money(order.amount_due_cents, order.currency)}`));
  if (order.pickup_date) {
    const window = order.pickup_window ? `, ${clock(order.pickup_window.start)}–${clock(order.pickup_window.end)}` : "";
    article.append(el("p", `Pick up on ${order.pickup_date}${window} at ${order.pickup_point.name}, ${order.pickup_point.address}`));
  }
  if (order.pickup_code) {
    const code = el("div", "", { class: "pickup-code" });
    code.append(el("p", "Pickup code"), el("p", order.pickup_code, { class: "code", "aria-label": `Pickup code ${order.pickup_code.split("").join(" ")}` }));
    code.append(qrImage(order.pickup_qr, order.pickup_code));
    article.append(code);
  }
  if (order.balance) {
    const b = order.balance;
    article.append(el("p", `Deposit ${money(b.deposit_cents, order.currency)} paid; balance ${money(b.balance_cents, order.currency)} ` +
      `due between ${when(b.opens_at)} and ${when(b.closes_at)}`, { class: "muted" }));
  }
  const errorBox = el("p", "", { class: "error", role: "alert" });
  const actions = el("div", "", { class: "row" });
  const unpaid = order.status === "pending_payment";
  if ((unpaid && order.payment_method === "stripe") || order.status === "deposit_paid") {
    actions.append(el("button", order.status === "deposit_paid" ? "Pay balance" : "Pay now", {
      type: "button", onclick: () => act(errorBox, () => pay(order)),
    }));
  }
  if (unpaid) {
    actions.append(el("button", "Cancel order", {
      type: "button", class: "secondary", "aria-label": `Cancel order ${order.number}`,
      onclick: () => act(errorBox, () => api(`/orders/${order.id}/cancel`, { method: "POST" })),
    }));
  }
  article.append(actions, errorBox);
  return article;
}

export async function renderOrders() {
  const box = $("orders");
  if (!state.me) {
    box.replaceChildren(el("p", "Log in to see your orders.", { class: "muted" }));
    return;
  }
  const orders = await api("/orders?page_size=20");
  box.replaceChildren(...orders.map(orderCard));
  if (!orders.length) box.append(el("p", "No orders yet.", { class: "muted" }));
}

on("orders-changed", () => renderOrders().catch(report));
