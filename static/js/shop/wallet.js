// My wallet: stored value (principal and bonus), its ledger, and topping it up by any method in
// client-config top_up_methods (card here; WeChat Pay / Alipay in apppay.js's box, as orders); the
// bonus tiers are the merchant's and the wallet is credited when Stripe reports.
import { $, ApiError, dateTime, el, label, money, newKey, onSubmit, t, table, toMinor } from "../common.js";
import { followTopUp } from "./apppay.js";
import { PAY_LABELS } from "./cart.js";
import { api, on, report, state } from "./context.js";
import { confirmWithCard } from "./stripe.js";

/** The online methods the API takes for top-ups and membership fees, that this page can follow. */
export const topUpMethods = () => (state.config.top_up_methods ?? []).filter((m) => PAY_LABELS[m]);

/** A top-up (or membership fee) the API started: a card is confirmed here, WeChat Pay / Alipay in the box. */
export async function payTopUp(topUp, label) {
  if (followTopUp(topUp, state.config.currency)) return;
  if (!topUp.client_secret) throw new ApiError(409, t("shop.orders.no_cards"));
  await confirmWithCard(topUp.client_secret, { label });
}

export async function renderWallet() {
  const entries = $("wallet-entries");
  $("top-up-form").hidden = !state.me || !topUpMethods().length;
  if (!state.me) {
    $("wallet-balance").textContent = "";
    entries.replaceChildren(el("p", t("shop.wallet.log_in"), { class: "muted" }));
    return;
  }
  $("wallet-error").textContent = "";
  let wallet;
  let lines;
  try {
    [wallet, lines] = await Promise.all([api("/wallet"), api("/wallet/entries?page_size=20")]);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    $("wallet-error").textContent = t("shop.wallet.failed", { message: error.message });
    return;
  }
  const cash = (cents) => money(cents, wallet.currency);
  $("wallet-balance").textContent = wallet.bonus_cents
    ? t("shop.wallet.balance_bonus", { total: cash(wallet.total_cents), bonus: cash(wallet.bonus_cents) })
    : t("shop.wallet.balance", { total: cash(wallet.total_cents) });
  entries.replaceChildren(table([
    [t("shop.wallet.when"), (e) => dateTime(e.created_at)],
    [t("shop.wallet.what"), (e) => label("wallet", e.kind)],
    [t("shop.wallet.amount_col"), (e) => cash(e.principal_delta + e.bonus_delta)],
    [t("shop.wallet.balance_col"), (e) => cash(e.principal_after + e.bonus_after)],
    [t("shop.wallet.note"), (e) => e.note ?? ""],
  ], lines, t("shop.wallet.history")));
}

export function initWallet() {
  $("top-up-method").replaceChildren(...topUpMethods().map((m) => new Option(t(PAY_LABELS[m]), m)));
  onSubmit($("top-up-form"), async ({ amount, payment_method }) => {
    const amount_cents = toMinor(amount, state.config.currency);
    const topUp = await api("/wallet/top-ups", { method: "POST", body: { amount_cents, payment_method },
      headers: { "Idempotency-Key": newKey() } });
    await payTopUp(topUp, t("shop.wallet.top_up_amount", { amount: money(amount_cents, state.config.currency) }));
    await renderWallet();
  });
  on("wallet-changed", () => renderWallet().catch(report));
}
