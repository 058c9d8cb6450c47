// The Earnings tab: the commission balance, payouts (with the pickup cash netted from them) and the
// commission ledger, requesting a payout, the Stripe payout account, and the cash owed (cash.js).
import { $, ApiError, dateTime, el, label, newKey, t, toMinor } from "../common.js";
import { api, cards, cash, explain, guarded, state, submit } from "./context.js";
import { loadCash } from "./cash.js";

export async function loadEarnings() {
  state.entriesPage = 1;
  await guarded($("earnings-error"), async () => {
    const [balance, payouts, entries] = await Promise.all([
      api("/commissions"), api("/payouts?page_size=20"), api("/commissions/entries?page=1&page_size=20")]);
    const stats = el("dl", "", { class: "stats" });
    for (const [bucket, cents, note] of [
      ["available", balance.available_cents, "leader.earnings.available_note"],
      ["pending", balance.pending_cents, "leader.earnings.pending_note"],
      ["withdrawing", balance.withdrawing_cents, "leader.earnings.withdrawing_note"],
      ["paid_out", balance.paid_out_cents, "leader.earnings.paid_out_note"]]) {
      const item = el("div", "", { class: "card" });
      item.append(el("dt", label("bucket", bucket)), el("dd", cash(cents), { class: "amount" }), el("dd", t(note), { class: "muted" }));
      stats.append(item);
    }
    $("balance").replaceChildren(stats);
    renderPayouts(payouts);
    state.entries = entries;
    renderEntries(entries.length === 20);
  });
  await Promise.all([loadPayoutAccount(), loadCash()]);
}

function renderPayouts(payouts) {
  $("payouts").replaceChildren(cards([
    [t("leader.earnings.requested"), (p) => dateTime(p.created_at)],
    [t("leader.earnings.amount_col"), (p) => cash(p.amount_cents)],
    [t("leader.earnings.fee"), (p) => cash(p.fee_cents)],
    [t("leader.earnings.netted"), (p) => cash(p.cash_netted_cents)],
    [t("leader.earnings.net"), (p) => cash(p.net_cents)],
    [t("leader.earnings.status"), (p) => label("payout", p.status)],
    [t("leader.earnings.note"), (p) => p.reason || p.last_error || p.bank_reference || ""],
  ], payouts, t("leader.earnings.payouts")));
}

function renderEntries(more) {
  $("entries").replaceChildren(cards([
    [t("leader.earnings.when"), (e) => dateTime(e.created_at)],
    [t("leader.earnings.what"), (e) => [label("entry", e.kind), e.order_number && t("leader.earnings.order", { number: e.order_number }),
      e.product_name].filter(Boolean).join(" · ")],
    [t("leader.earnings.balance"), (e) => label("bucket", e.bucket)],
    [t("leader.earnings.amount_col"), (e) => cash(e.amount_cents)],
    [t("leader.earnings.rate"), (e) => (e.rate_bps === null ? "" : `${e.rate_bps / 100}%`)],
  ], state.entries, t("leader.earnings.entries")));
  $("more-entries").hidden = !more;
}

/** The store's payout terms in a sentence: the minimum and the fee. */
function termsText(terms) {
  if (!terms) return "";
  const parts = [terms.fee_cents && cash(terms.fee_cents), terms.fee_bps && `${terms.fee_bps / 100}%`].filter(Boolean);
  const fee = parts.length ? t("leader.earnings.fee_text", { fee: parts.join(" + ") }) : "";
  return t("leader.earnings.minimum_text", { amount: cash(terms.minimum_cents) }) + fee;
}

function showAccount(key, { button = null, terms = "" } = {}) {
  $("payout-account").textContent = t(key) + terms;
  $("payout-setup").hidden = !button;
  if (button) $("payout-setup").textContent = t(button);
}

async function loadPayoutAccount() {
  $("payout-account-error").textContent = "";
  $("payout-setup").hidden = true;
  const terms = state.payoutTerms;
  const minimum = termsText(terms);
  // The store's terms say which question to ask: no probing for an account that cannot exist.
  if (terms?.provider === "bank_export" && !terms.has_stripe_account) {
    showAccount("leader.earnings.by_bank", { terms: minimum });
    return;
  }
  if (terms && !terms.has_stripe_account) {
    showAccount("leader.earnings.no_stripe", { button: "leader.earnings.setup", terms: minimum });
    return;
  }
  try {
    const account = await api("/payout-account");
    if (account.details_submitted) {
      showAccount(account.transfers_enabled ? "leader.earnings.stripe_ready" : "leader.earnings.stripe_checking");
    } else showAccount("leader.earnings.stripe_unfinished", { button: "leader.earnings.continue" });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 409) showAccount("leader.earnings.by_bank");
    else if (error.status === 404) showAccount("leader.earnings.no_stripe", { button: "leader.earnings.setup" });
    else if (error.status !== 401) {
      $("payout-account").textContent = "";
      $("payout-account-error").textContent = explain(error);
    }
  }
}

export function initEarnings() {
  $("more-entries").addEventListener("click", () => guarded($("earnings-error"), async () => {
    state.entriesPage += 1;
    const next = await api(`/commissions/entries?page=${state.entriesPage}&page_size=20`);
    state.entries = state.entries.concat(next);
    renderEntries(next.length === 20);
  }));

  $("payout-setup").addEventListener("click", async () => {
    const button = $("payout-setup");
    button.disabled = true;
    try {
      const account = await api("/payout-account", { method: "POST" });
      if (account.onboarding_url) location.assign(account.onboarding_url);
      else await loadPayoutAccount();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 409) showAccount("leader.earnings.by_bank");
      else if (error.status !== 401) $("payout-account-error").textContent = explain(error);
    } finally {
      button.disabled = false;
    }
  });

  submit($("payout-form"), async (fields, form) => {
    const amount = toMinor(fields.amount);
    // One key per intended payout: a retry after a lost connection reuses it, so it is paid once.
    if (!state.payoutKey || state.payoutKey.amount !== amount) state.payoutKey = { amount, key: newKey() };
    $("payout-result").textContent = "";
    try {
      const payout = await api("/payouts", { method: "POST", body: { amount_cents: amount },
        headers: { "Idempotency-Key": state.payoutKey.key } });
      state.payoutKey = null;
      form.reset();
      await loadEarnings();
      $("payout-result").textContent = t("leader.earnings.requested_text", { amount: cash(payout.amount_cents),
        net: cash(payout.net_cents), fee: cash(payout.fee_cents) });
    } catch (error) {
      if (error.status !== 0) state.payoutKey = null; // answered: a new attempt is a new request
      throw error;
    }
  });
}
