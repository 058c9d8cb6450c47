// WeChat Pay and Alipay (through Stripe): follow the payment's next_action the API returns, then wait
// for the order to be paid. WeChat Pay shows the QR code of next_action.qr_code_data (on a phone with
// a hint and Stripe's hosted page, as the API gives no app link for web payments); Alipay sends the
// shopper to redirect_url and its return_url brings them back to /?order=<id>#orders, which the home
// page sends on to the shop page kept in localStorage. Waiting asks the server to check the payment
// (refresh-payment) every few seconds, so it ends when the webhook lands or Stripe says paid.
// Wallet top-ups and membership fees (a top-up of the fee) use the same box: their Alipay return is
// /?top_up=<id>#wallet and waiting reads GET /wallet/top-ups/<id>, which asks Stripe while pending.
import { $, ApiError, el, money, t } from "../common.js";
import { api, emit, report } from "./context.js";

const SHOP_PAGE = "storefront.shop"; // where the home page sends a shopper back from Alipay
const POLL_MS = 2000;
const POLL_LIMIT = 300; // ten minutes: Stripe's QR codes and redirects expire before that

let watching = null; // {timer, tries} of the payment being waited for

// A touch screen or a phone-width window: scanning this screen with the same phone is not possible.
export const isPhone = () => window.matchMedia("(pointer: coarse), (max-width: 600px)").matches;

function qrImage(text) {
  const qr = window.qrcode(0, "M");
  qr.addData(text);
  qr.make();
  return el("img", "", { src: qr.createDataURL(6, 8), alt: t("shop.apppay.qr_alt"), class: "qr", id: "app-pay-qr-img",
    width: 200, height: 200 });
}

function stop() {
  if (watching) clearTimeout(watching.timer);
  watching = null;
}

/** Close the box and stop waiting; the order stays unpaid (its Pay now starts again). */
export function closeAppPay() {
  stop();
  $("app-payment").hidden = true;
}

function showBox(title, parts) {
  $("app-pay-title").textContent = title;
  $("app-pay-body").replaceChildren(...parts);
  $("app-pay-error").textContent = "";
  $("app-pay-status").textContent = t("shop.apppay.waiting");
  $("app-pay-status").className = "muted";
  $("app-pay-status").classList.add("busy");
  $("app-payment").hidden = false;
  $("app-payment").scrollIntoView({ block: "start" });
}

function wechatParts(action, amount) {
  const parts = [el("p", t("shop.apppay.amount", { amount }), { class: "price" }), qrImage(action.qr_code_data)];
  parts.push(el("p", t(isPhone() ? "shop.apppay.wechat_phone_hint" : "shop.apppay.wechat_hint"), { id: "app-pay-hint" }));
  if (isPhone() && action.hosted_url) {
    parts.push(el("a", t("shop.apppay.wechat_open"), { href: action.hosted_url, target: "_blank", rel: "noopener" }));
  }
  return parts;
}

/** Show what a payment's next_action needs; `wait` polls until it settles. False when it needs nothing here. */
function follow(action, amount, wait) {
  if (action?.type === "alipay_handle_redirect" && action.redirect_url) {
    localStorage.setItem(SHOP_PAGE, location.pathname);
    showBox(t("shop.apppay.alipay_title"), [el("p", t("shop.apppay.alipay_redirecting", { amount }))]);
    location.assign(action.redirect_url);
    return true;
  }
  if (action?.type === "wechat_pay_display_qr_code" && action.qr_code_data) {
    showBox(t("shop.apppay.wechat_title"), wechatParts(action, amount));
    wait();
    return true;
  }
  return false;
}

/** After checkout or Pay now: show what the payment needs. Returns false when it needs nothing here. */
export function followNextAction(order) {
  const action = order.payment?.next_action;
  if (!action) return false;
  const amount = money(order.payment.amount_cents ?? order.total_cents, order.currency);
  return follow(action, amount, () => watchOrder(order.id));
}

/** A wallet top-up (or a membership fee's top-up, {top_up_id, amount_cents, next_action}) by WeChat Pay / Alipay. */
export function followTopUp(topUp, currency) {
  const id = topUp.id ?? topUp.top_up_id;
  return follow(topUp.next_action, money(topUp.amount_cents, currency), () => watchTopUp(id));
}

/** Coming back from Alipay (or a reload while waiting): wait for this order's or top-up's payment. */
export function resumeFromReturn() {
  const params = new URLSearchParams(location.search);
  const orderId = Number(params.get("order"));
  const topUpId = Number(params.get("top_up"));
  if (!orderId && !topUpId) return;
  history.replaceState(null, "", location.pathname + location.hash);
  showBox(t("shop.apppay.returned_title"), [el("p", t("shop.apppay.returned"))]);
  if (orderId) watchOrder(orderId);
  else watchTopUp(topUpId);
}

const PAID = ["paid", "confirmed", "deposit_paid"];

/** The end of a wait: "paid", or the API's own translated sentence (never the provider's text). */
function settle(paid, failureMessage, fallbackKey) {
  stop();
  $("app-pay-body").replaceChildren();
  const status = $("app-pay-status");
  if (paid) {
    status.textContent = t("shop.apppay.paid");
    status.className = "ok";
  } else {
    status.textContent = "";
    $("app-pay-error").textContent = failureMessage || t(fallbackKey);
  }
}

function watchOrder(orderId) {
  watch(async () => {
    const order = await api(`/orders/${orderId}/refresh-payment`, { method: "POST" });
    if (order.payment?.status === "pending") return false;
    settle(order.payment?.status !== "failed" && PAID.includes(order.status), order.payment?.failure_message,
      "shop.apppay.not_paid");
    emit("orders-changed");
    return true;
  }, "shop.apppay.gave_up");
}

function watchTopUp(topUpId) {
  watch(async () => {
    const topUp = await api(`/wallet/top-ups/${topUpId}`);
    if (topUp.status === "pending") return false;
    settle(topUp.status === "succeeded", topUp.failure_message, "shop.apppay.top_up_not_paid");
    emit("wallet-changed");
    return true;
  }, "shop.apppay.top_up_gave_up");
}

/** Ask `check` every POLL_MS until it says the payment settled; a busy store is asked again. */
function watch(check, gaveUpKey) {
  stop();
  const me = { timer: null, tries: 0 };
  watching = me;
  const tick = async () => {
    if (watching !== me) return;
    try {
      if (await check() || watching !== me) return;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status < 500) {  // gone or not ours: say so and stop
        stop();
        $("app-pay-error").textContent = error.message;
        return;
      }
    }
    if (++me.tries >= POLL_LIMIT) {
      stop();
      $("app-pay-status").textContent = t(gaveUpKey);
      return;
    }
    me.timer = setTimeout(() => tick().catch(report), POLL_MS);
  };
  me.timer = setTimeout(() => tick().catch(report), POLL_MS);
}

export function initAppPay() {
  $("app-pay-close").addEventListener("click", () => {
    closeAppPay();
    emit("orders-changed");
    emit("wallet-changed");
  });
}
