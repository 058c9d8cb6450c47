// My wallet: stored value (principal and bonus), its ledger, and topping it up by card when the
// store takes cards (the bonus tiers are the merchant's; the wallet is credited when Stripe reports).
import { $, el, money, onSubmit, table } from "../common.js";
import { api, newKey, state, when } from "./context.js";
import { confirmWithCard } from "./stripe.js";

const KINDS = { top_up: "Top-up", payment: "Order", refund: "Refund", adjustment: "Adjustment" };

export async function renderWallet() {
  const entries = $("wallet-entries");
  $("top-up-form").hidden = !state.me || !state.config.card_payments;
  if (!state.me) {
    $("wallet-balance").textContent = "";
    entries.replaceChildren(el("p", "Log in to see your wallet.", { class: "muted" }));
    return;
  }
  const [wallet, lines] = await Promise.all([api("/wallet"), api("/wallet/entries?page_size=20")]);
  const bonus = wallet.bonus_cents ? ` (of which bonus ${money(wallet.bonus_cents, wallet.currency)})` : "";
  $("wallet-balance").textContent = `Balance ${money(wallet.total_cents, wallet.currency)}${bonus}`;
  entries.replaceChildren(table([
    ["When", (e) => when(e.created_at)],
    ["What", (e) => KINDS[e.kind] ?? e.kind],
    ["Amount", (e) => money(e.principal_delta + e.bonus_delta, wallet.currency)],
    ["Balance", (e) => money(e.principal_after + e.bonus_after, wallet.currency)],
    ["Note", (e) => e.note ?? ""],
  ], lines, "Wallet history"));
}

export function initWallet() {
  onSubmit($("top-up-form"), async ({ amount }) => {
    const digits = new Intl.NumberFormat(undefined, { style: "currency", currency: state.config.currency }).resolvedOptions().maximumFractionDigits;
    const amount_cents = Math.round(Number(amount) * 10 ** digits);
    const topUp = await api("/wallet/top-ups", { method: "POST", body: { amount_cents }, headers: { "Idempotency-Key": newKey() } });
    await confirmWithCard(topUp.client_secret, { label: `Top up ${money(amount_cents, state.config.currency)}` });
    await renderWallet();
  });
}
