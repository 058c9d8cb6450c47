// The cart lives in the browser (localStorage) until checkout: the API prices it on demand (/quote,
// the one price engine, with the rule behind each price, the chosen coupon and the pickup date) and
// places it as one order (/orders). The sticky cart bar shows its count and total on every tab.
import { $, ApiError, date, describeError, el, label, money, newKey, t } from "../common.js";
import { api, emit, on, report, state } from "./context.js";
import { confirmWithCard } from "./stripe.js";
import { followNextAction } from "./apppay.js";

/** What each method is called in the pickers (a method the page cannot complete has no label and stays out). */
export const PAY_LABELS = { card: "shop.pay.card", stripe: "shop.pay.card", wechat_pay: "shop.pay.wechat_pay",
  alipay: "shop.pay.alipay", wallet: "shop.pay.wallet", pay_at_pickup: "shop.pay.at_pickup" };

const KEY = "storefront.cart";
const load = () => JSON.parse(localStorage.getItem(KEY) || "[]");
let checkoutKey = null; // one key per attempt at placing this cart: a retry after a timeout is the same order
let lastQuote = null;   // what the shopper was last shown: checkout sends the coupon it priced

function save(lines) {
  localStorage.setItem(KEY, JSON.stringify(lines));
  checkoutKey = null;
  $("cart-count").textContent = String(lines.reduce((n, l) => n + l.quantity, 0));
  $("cart-bar").classList.toggle("empty", !lines.length);
  if (!lines.length) $("cart-bar-total").textContent = t("shop.cart.bar_empty");
}

export function addToCart({ sku_id, campaign_item_id = null, name }) {
  const lines = load();
  const same = lines.find((l) => l.sku_id === sku_id && l.campaign_item_id === campaign_item_id);
  if (same) same.quantity += 1;
  else lines.push({ sku_id, campaign_item_id, name, quantity: 1 });
  save(lines);
  $("cart-bar").classList.remove("bump");
  void $("cart-bar").offsetWidth; // restart the little "added" animation
  $("cart-bar").classList.add("bump");
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

const isCampaignCart = (lines) => lines.some((l) => l.campaign_item_id);

// The shopper's coupons and wallet, read once per session and after each order (not per cart change).
let held = null;

async function loadHeld() {
  const coupons = await api("/coupons?page_size=50").catch((error) => {
    if (!(error instanceof ApiError)) throw error;
    $("coupon-error").textContent = t("shop.coupons.failed", { message: error.message });
    return [];
  });
  const wallet = await api("/wallet").catch(() => null); // unknown: the wallet stays offered, checkout decides
  return { coupons: coupons.filter((c) => c.status === "available"), wallet };
}

/** The shopper's coupons that can be used now (GET /coupons, status available). */
async function renderCoupons(lines) {
  const picker = $("coupon-picker");
  const select = $("coupon");
  const chosen = select.value;
  picker.hidden = true;
  if (!state.inGroup || !lines.length) return;
  held ??= await loadHeld();
  state.wallet = held.wallet;
  const coupons = held.coupons;
  if (!coupons.length || isCampaignCart(lines)) return; // campaign prices take no coupon
  const cash = (cents) => money(cents, state.config.currency);
  select.replaceChildren(new Option(t("shop.coupons.none"), ""), ...coupons.map((c) => {
    const off = c.kind === "amount" ? cash(c.amount_off_cents) : t("shop.coupons.percent", { percent: c.percent_off });
    const text = c.min_spend_cents ? t("shop.coupons.option_min", { name: c.name, off, min: cash(c.min_spend_cents), until: date(c.valid_until) })
      : t("shop.coupons.option", { name: c.name, off, until: date(c.valid_until) });
    return new Option(text, String(c.id), false, String(c.id) === chosen);
  }));
  picker.hidden = false;
}

let quoteSeq = 0; // only the latest quote is shown when the cart changes faster than the API answers

function quoteParts(quote) {
  const cash = (cents) => money(cents, quote.currency);
  const parts = [];
  for (const q of quote.lines) {
    const name = state.skus.get(q.sku_id)?.product.name ?? t("shop.cart.item", { id: q.sku_id });
    const saved = q.discount_cents > 0 ? t("shop.cart.saving", { rule: label("priceRule", q.rule), saved: cash(q.discount_cents) }) : "";
    parts.push(el("p", t("shop.cart.line", { name, quantity: q.quantity, total: cash(q.line_total_cents), saved }), { class: "muted" }));
  }
  if (quote.coupon_discount_cents) {
    parts.push(el("p", t("shop.cart.coupon_off", { amount: cash(quote.coupon_discount_cents) }), { class: "ok", id: "coupon-off" }));
  }
  parts.push(el("p", t("shop.cart.total", { total: cash(quote.total_cents) }), { class: "price", id: "cart-total" }));
  if (quote.pickup_date) {
    const point = state.group.pickup_point;
    parts.push(el("p", t("shop.cart.pickup_on", { day: date(quote.pickup_date), point: point.name }), { id: "cart-pickup" }));
  }
  return parts;
}

let inFlight = Promise.resolve();

/**
 * One quote at a time (a quick series of taps asks again after the last answer, not all at once),
 * asked once more after a second when the store says it is busy (503): a quote changes nothing.
 */
function fetchQuote(lines, couponId) {
  const body = { lines: lines.map(({ sku_id, quantity, campaign_item_id }) => ({ sku_id, quantity, campaign_item_id })) };
  if (couponId) body.coupon_id = Number(couponId);
  const ask = () => api("/quote", { method: "POST", body }).catch(async (error) => {
    if (!(error instanceof ApiError) || error.status !== 503) throw error;
    await new Promise((resolve) => { setTimeout(resolve, 1000); });
    return api("/quote", { method: "POST", body });
  });
  const next = inFlight.catch(() => null).then(ask);
  inFlight = next;
  return next;
}

async function renderQuote(lines) {
  const seq = ++quoteSeq;
  let parts = [];
  let quote = null;
  $("coupon-error").textContent = "";
  if (lines.length && state.inGroup) {
    const couponId = $("coupon-picker").hidden ? "" : $("coupon").value;
    try {
      try {
        quote = await fetchQuote(lines, couponId);
      } catch (error) {
        // A coupon this cart cannot use (below its minimum, other items): say why, price without it.
        if (!couponId || !(error instanceof ApiError) || error.status >= 500) throw error;
        if (seq === quoteSeq) $("coupon-error").textContent = describeError(error);
        quote = await fetchQuote(lines, "");
      }
      parts = quoteParts(quote);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      parts = [el("p", describeError(error), { class: "error" })];
    }
  }
  if (seq !== quoteSeq) return;
  lastQuote = quote;
  $("quote").replaceChildren(...parts);
  if (quote) $("cart-bar-total").textContent = money(quote.total_cents, quote.currency);
  else if (lines.length) $("cart-bar-total").textContent = "";
  renderPaymentMethods(lines, quote);
}

/**
 * Only the methods that can succeed for this cart: the list the API sends (quote or client-config,
 * `payment_methods`), else what this store is known to take — the wallet only when it holds enough,
 * paying at pickup where the group offers it, cards where Stripe is set up; campaign orders online.
 */
function methodsFor(lines, quote) {
  const listed = quote?.payment_methods ?? quote?.allowed_methods ?? state.config.payment_methods ?? null;
  const known = PAY_LABELS;
  let methods;
  if (Array.isArray(listed)) methods = listed.filter((m) => known[m]); // methods this page cannot complete stay out
  else {
    methods = state.config.card_payments ? ["stripe"] : [];
    if (!isCampaignCart(lines)) {
      if (state.group?.pay_at_pickup_allowed) methods.push("pay_at_pickup");
      methods.push("wallet");
    }
  }
  const due = quote?.total_cents;
  if (state.wallet && due !== undefined && state.wallet.total_cents < due) methods = methods.filter((m) => m !== "wallet");
  return methods.map((m) => [m, t(known[m])]);
}

function renderPaymentMethods(lines, quote) {
  const box = $("payment-methods");
  const chosen = box.querySelector("input:checked")?.value;
  const methods = methodsFor(lines, quote);
  box.replaceChildren(...methods.map(([value, text], i) => {
    const option = el("label", "", { class: "row" });
    const checked = methods.some(([m]) => m === chosen) ? chosen === value : i === 0;
    option.append(el("input", "", { type: "radio", name: "payment_method", value, checked }), text);
    return option;
  }));
  if (!methods.length && lines.length) box.append(el("p", t("shop.pay.none"), { class: "muted" }));
  $("checkout-form").querySelector("button[type=submit]").disabled = !methods.length;
}

export async function renderCart() {
  const lines = load();
  save(lines);
  const box = $("cart-lines");
  box.replaceChildren(...lines.map(lineRow));
  if (!lines.length) box.append(el("p", t(state.inGroup ? "shop.cart.empty_hint" : "shop.cart.empty"), { class: "muted empty" }));
  $("checkout-form").hidden = !lines.length || !state.inGroup;
  $("cart-checkout").disabled = !lines.length;
  await renderCoupons(lines);
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
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  button.classList.add("busy");
  try {
    const order = await api("/orders", {
      method: "POST", headers: { "Idempotency-Key": checkoutKey },
      body: { payment_method, coupon_id: lastQuote?.coupon_id ?? null,
        lines: lines.map(({ sku_id, quantity, campaign_item_id }) => ({ sku_id, quantity, campaign_item_id })) },
    });
    save([]);
    $("coupon").value = "";
    held = null;
    await renderCart();
    // WeChat Pay's QR code shows (or Alipay opens) and its box waits for the payment; else a card's.
    if (!followNextAction(order) && order.payment?.client_secret && state.config.stripe_publishable_key) {
      await confirmWithCard(order.payment.client_secret, { label: t("shop.card.pay_amount", { amount: money(order.total_cents, order.currency) }) });
      await api(`/orders/${order.id}/refresh-payment`, { method: "POST" });
    }
    emit("orders-changed");
    emit("show-tab", "tab-orders");
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    errorBox.textContent = describeError(error, form);
  } finally {
    button.disabled = false;
    button.classList.remove("busy");
  }
}

export function initCart() {
  on("session", () => {
    held = null;
    return renderCart();
  });
  $("coupon").addEventListener("change", () => renderQuote(load()).catch(report));
  $("checkout-form").addEventListener("submit", (event) => checkout(event).catch(report));
}
