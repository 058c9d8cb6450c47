// My orders: status and where the goods are, the pickup day and window, and the pickup code as text and
// as a QR code for the leader to scan; paying an unpaid order (card, pre-sale balance) or cancelling it.
import { $, ApiError, date, dateTime, el, label, money, t, time } from "../common.js";
import { api, on, report, state } from "./context.js";
import { lineAfterSale, requestsByLine } from "./aftersales.js";
import { confirmWithCard } from "./stripe.js";

// A paid order may be cancelled (refunded in full) until its cut-off; the API says when it is too late.
const CANCELLABLE_PAID = new Set(["paid", "partially_refunded", "confirmed"]);
const NOT_YET_DELIVERED = new Set(["pending", "scheduled"]);

/** The QR code of the text the API gives for the order, drawn by the vendored qrcode-generator. */
function qrImage(text, pickupCode) {
  const qr = window.qrcode(0, "M");
  qr.addData(text);
  qr.make();
  return el("img", "", { src: qr.createDataURL(5, 8), alt: t("shop.orders.qr_alt", { code: pickupCode }), class: "qr",
    width: 160, height: 160 });
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
    throw new ApiError(409, t("shop.orders.no_cards"));
  }
  await confirmWithCard(opened.payment.client_secret,
    { label: t("shop.card.pay_amount", { amount: money(opened.payment.amount_cents, order.currency) }) });
  await api(`/orders/${order.id}/refresh-payment`, { method: "POST" });
}

/** Cancelling a paid order asks once more (the money goes back); the API's refusal (past the cut-off) shows below. */
function cancelPaidButton(order, actions, errorBox) {
  const ask = el("button", t("shop.orders.cancel"), { type: "button", class: "secondary",
    "aria-label": t("shop.orders.cancel_named", { number: order.number }) });
  ask.addEventListener("click", () => {
    const confirmRow = el("div", "", { class: "confirm", role: "group" });
    confirmRow.append(el("p", t("shop.orders.cancel_confirm", { number: order.number })),
      el("button", t("shop.orders.cancel_yes"), { type: "button",
        onclick: () => act(errorBox, () => api(`/orders/${order.id}/cancel`, { method: "POST" })) }),
      el("button", t("shop.orders.cancel_no"), { type: "button", class: "secondary",
        onclick: () => { confirmRow.remove(); ask.hidden = false; } }));
    ask.hidden = true;
    actions.after(confirmRow);
  });
  return ask;
}

function orderCard(order, requests) {
  const cash = (cents) => money(cents, order.currency);
  const article = el("article", "", { class: "card order", "data-order": order.number });
  article.append(el("h3", t("shop.orders.order", { number: order.number })));
  article.append(el("p", `${label("order", order.status)} · ${label("fulfilment", order.fulfilment)}`, { class: "order-status" }));
  for (const line of order.lines) {
    article.append(el("p", `${line.product_name} ${line.sku_name} × ${line.quantity} — ${cash(line.line_total_cents)}`, { class: "muted" }));
    article.append(lineAfterSale(order, line, requests.get(line.id), renderOrders));
  }
  article.append(el("p", t("shop.cart.total", { total: cash(order.total_cents) }), { class: "price" }));
  if (order.amount_due_cents) article.append(el("p", t("shop.orders.due_at_pickup", { amount: cash(order.amount_due_cents) })));
  if (order.pickup_date) {
    const where = { day: date(order.pickup_date), point: order.pickup_point.name, address: order.pickup_point.address };
    article.append(el("p", order.pickup_window
      ? t("shop.orders.pickup_window", { ...where, from: time(order.pickup_window.start), to: time(order.pickup_window.end) })
      : t("shop.orders.pickup", where)));
  }
  if (order.pickup_code) {
    const code = el("div", "", { class: "pickup-code" });
    code.append(el("p", t("shop.orders.pickup_code")), el("p", order.pickup_code, {
      class: "code", "aria-label": t("shop.orders.pickup_code_spelt", { code: order.pickup_code.split("").join(" ") }),
    }));
    code.append(qrImage(order.pickup_qr, order.pickup_code));
    article.append(code);
  }
  if (order.balance) {
    const b = order.balance;
    article.append(el("p", t("shop.orders.balance", { deposit: cash(b.deposit_cents), balance: cash(b.balance_cents),
      from: dateTime(b.opens_at), to: dateTime(b.closes_at) }), { class: "muted" }));
  }
  const errorBox = el("p", "", { class: "error", role: "alert" });
  const actions = el("div", "", { class: "row" });
  const unpaid = order.status === "pending_payment";
  if ((unpaid && order.payment_method === "stripe") || order.status === "deposit_paid") {
    actions.append(el("button", t(order.status === "deposit_paid" ? "shop.orders.pay_balance" : "shop.orders.pay_now"), {
      type: "button", onclick: () => act(errorBox, () => pay(order)),
    }));
  }
  if (unpaid) {
    actions.append(el("button", t("shop.orders.cancel"), {
      type: "button", class: "secondary", "aria-label": t("shop.orders.cancel_named", { number: order.number }),
      onclick: () => act(errorBox, () => api(`/orders/${order.id}/cancel`, { method: "POST" })),
    }));
  }
  if (CANCELLABLE_PAID.has(order.status) && NOT_YET_DELIVERED.has(order.fulfilment)) {
    actions.append(cancelPaidButton(order, actions, errorBox));
  }
  article.append(actions, errorBox);
  return article;
}

let drawing = 0; // renders under way (a tab shown, an order placed…): the list is aria-busy until the last ends

export async function renderOrders() {
  const box = $("orders");
  if (!state.me) {
    box.replaceChildren(el("p", t("shop.orders.log_in"), { class: "muted" }));
    return;
  }
  $("orders-error").textContent = "";
  if (!box.childElementCount) box.replaceChildren(el("p", t("common.loading"), { class: "muted" }));
  drawing += 1;
  box.setAttribute("aria-busy", "true");
  try {
    const [orders, requests] = await Promise.all([api("/orders?page_size=20"), requestsByLine()]);
    box.replaceChildren(...orders.map((order) => orderCard(order, requests)));
    if (!orders.length) box.append(el("p", t("shop.orders.none_hint"), { class: "muted empty" }));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    $("orders-error").textContent = t("shop.orders.failed", { message: error.message });
  } finally {
    drawing -= 1;
    if (!drawing) box.removeAttribute("aria-busy");
  }
}

on("orders-changed", () => renderOrders().catch(report));
