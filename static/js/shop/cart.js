// The cart lives in the browser (localStorage) until checkout: the API prices it on demand (/quote,
// the one price engine, with the rule behind each price) and places it as one order (/orders).
import { $, ApiError, describeError, el, label, money, newKey, t } from "../common.js";
import { api, emit, on, report, state } from "./context.js";
import { confirmWithCard } from "./stripe.js";

const KEY = "storefront.cart";
const load = () => JSON.parse(localStorage.getItem(KEY) || "[]");
let checkoutKey = null; // one key per attempt at placing this cart: a retry after a timeout is the same order

function save(lines) {
  localStorage.setItem(KEY, JSON.stringify(lines));
  checkoutKey = null;
  $("cart-count").textContent = String(lines.reduce((n, l) => n + l.quantity, 0));
}

export function addToCart({ sku_id, campaign_item_id = null, name }) {
  const lines = load();
  const same = lines.find((l) => l.sku_id === sku_id && l.campaign_item_id === campaign_item_id);
  if (same) same.quantity += 1;
  else lines.push({ sku_id, campaign_item_id, name, quantity: 1 });
  save(lines);
  renderCart().catch(report);
}

function setQuantity(index, quantity) {
  const lines = load();
  if (quantity > 0) lines[index].quantity = quantity;
  else lines.splice(index, 1);
  save(lines);
  renderCart().catch(report);
}

function lineRow(line, index) {
  const row = el("div", "", { class: "row cart-line" });
  row.append(el("span", line.name));
  const input = el("input", "", { type: "number", min: 0, max: 999, value: line.quantity, "aria-label": t("shop.cart.quantity_of", { name: line.name }) });
  input.addEventListener("change", () => setQuantity(index, Number(input.value)));
  row.append(input, el("button", t("shop.cart.remove"), { type: "button", class: "secondary",
    "aria-label": t("shop.cart.remove_named", { name: line.name }), onclick: () => setQuantity(index, 0) }));
  return row;
}

let quoteSeq = 0; // only the latest quote is shown when the cart changes faster than the API answers

async function renderQuote(lines) {
  const seq = ++quoteSeq;
  const parts = [];
  if (lines.length && state.inGroup) {
    try {
      const quote = await api("/quote", { method: "POST", body: { lines: lines.map(({ sku_id, quantity }) => ({ sku_id, quantity })) } });
      for (const q of quote.lines) {
        const name = state.skus.get(q.sku_id)?.product.name ?? t("shop.cart.item", { id: q.sku_id });
        const saved = q.discount_cents > 0
          ? t("shop.cart.saving", { rule: label("priceRule", q.rule), saved: money(q.discount_cents, quote.currency) }) : "";
        parts.push(el("p", t("shop.cart.line", { name, quantity: q.quantity, total: money(q.line_total_cents, quote.currency), saved }),
          { class: "muted" }));
      }
      parts.push(el("p", t("shop.cart.total", { total: money(quote.total_cents, quote.currency) }), { class: "price", id: "cart-total" }));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      parts.push(el("p", describeError(error), { class: "error" }));
    }
  }
  if (seq === quoteSeq) $("quote").replaceChildren(...parts);
}

function renderPaymentMethods() {
  const methods = [["wallet", t("shop.pay.wallet")]];
  if (state.group?.pay_at_pickup_allowed) methods.unshift(["pay_at_pickup", t("shop.pay.at_pickup")]);
  if (state.config.card_payments) methods.unshift(["stripe", t("shop.pay.card")]);
  const box = $("payment-methods");
  const chosen = box.querySelector("input:checked")?.value;
  box.replaceChildren(...methods.map(([value, label], i) => {
    const option = el("label", "", { class: "row" });
    option.append(el("input", "", { type: "radio", name: "payment_method", value, checked: chosen ? chosen === value : i === 0 }), label);
    return option;
  }));
}

export async function renderCart() {
  const lines = load();
  save(lines);
  const box = $("cart-lines");
  box.replaceChildren(...lines.map(lineRow));
  if (!lines.length) box.append(el("p", t("shop.cart.empty"), { class: "muted" }));
  $("checkout-form").hidden = !lines.length || !state.inGroup;
  renderPaymentMethods();
  await renderQuote(lines);
}

async function checkout(event) {
  event.preventDefault();
  const form = event.target;
  const errorBox = form.querySelector("[data-error]");
  errorBox.textContent = "";
  const lines = load();
  const payment_method = new FormData(form).get("payment_method");
  checkoutKey ??= newKey();
  form.querySelector("button").disabled = true;
  try {
    const order = await api("/orders", {
      method: "POST", headers: { "Idempotency-Key": checkoutKey },
      body: { payment_method, lines: lines.map(({ sku_id, quantity, campaign_item_id }) => ({ sku_id, quantity, campaign_item_id })) },
    });
    save([]);
    await renderCart();
    if (order.payment?.client_secret && state.config.stripe_publishable_key) {
      await confirmWithCard(order.payment.client_secret, { label: t("shop.card.pay_amount", { amount: money(order.total_cents, order.currency) }) });
      await api(`/orders/${order.id}/refresh-payment`, { method: "POST" });
    }
    emit("orders-changed");
    emit("show-tab", "tab-orders");
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    errorBox.textContent = describeError(error, form);
  } finally {
    form.querySelector("button").disabled = false;
  }
}

export function initCart() {
  on("session", renderCart);
  $("checkout-form").addEventListener("submit", (event) => checkout(event).catch(report));
}
