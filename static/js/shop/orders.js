// My orders: status and where the goods are, the pickup day and window, and the pickup code as text and
// as a QR code for the leader to scan; paying an unpaid order (any method it can take, pre-sale balance) or cancelling it.
import { $, ApiError, date, dateTime, el, label, money, t, time } from "../common.js";
import { api, on, report, state } from "./context.js";
import { lineAfterSale, requestsByLine } from "./aftersales.js";
import { confirmWithCard } from "./stripe.js";
import { followNextAction } from "./apppay.js";
import { PAY_LABELS } from "./cart.js";

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

/** Pay (or retry) with the chosen method: the wallet at once, WeChat Pay / Alipay in their box, a card here. */
async function pay(order, method) {
  const opened = await api(`/orders/${order.id}/pay`, { method: "POST", body: { payment_method: method } });
  if (followNextAction(opened) || method === "wallet") return;
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

/** The methods that can pay this order now, as the API lists them; the wallet only if it covers the amount due. */
function payMethods(order, wallet) {
  const due = order.status === "deposit_paid" ? order.balance?.balance_cents : order.total_cents;
  return (order.payment_methods ?? []).filter((m) => PAY_LABELS[m]
    && (m !== "wallet" || !wallet || due === undefined || wallet.total_cents >= due));
}

const chosen = new Map(); // order id -> the method picked, kept when the list is drawn again

function payButton(order, wallet, errorBox) {
  const methods = payMethods(order, wallet);
  if (!methods.length) return [];
  const open = order.payment?.status === "pending" ? order.payment.method : null; // retry the same by default
  const pick = chosen.get(order.id) ?? open;
  const select = el("select", "", { "aria-label": t("shop.orders.pay_with", { number: order.number }) });
  select.append(...methods.map((m) => new Option(t(PAY_LABELS[m]), m, false, m === pick)));
  select.addEventListener("change", () => chosen.set(order.id, select.value));
  const button = el("button", t(order.status === "deposit_paid" ? "shop.orders.pay_balance" : "shop.orders.pay_now"), {
    type: "button", onclick: () => act(errorBox, () => pay(order, select.value)),
  });
  return [select, button];
}

function orderCard(order, wallet, requests) {
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
  actions.append(...payButton(order, wallet, errorBox));
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
    // The wallet's balance decides whether it is offered for an unpaid order (unknown: offered, the API decides).
    const wallet = orders.some((o) => o.payment_methods?.includes("wallet")) ? await api("/wallet").catch(() => null) : null;
    box.replaceChildren(...orders.map((order) => orderCard(order, wallet, requests)));
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
