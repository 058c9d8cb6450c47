// The Earnings tab: the commission balance, payouts and the commission ledger, requesting a
// payout, and the Stripe payout account.
import { $, ApiError, el } from "../common.js";
import { api, cards, cash, explain, guarded, idempotencyKey, stamp, state, submit, toCents } from "./context.js";

const PAYOUT = { requested: "Requested", approved: "Approved", exported: "Sent to the bank", sending: "Sending",
  paid: "Paid", rejected: "Rejected" };
const ENTRY = { accrue: "Earned", settle: "Became withdrawable", clawback: "Refund clawback", payout: "Payout" };
const BUCKET = { pending: "Pending", available: "Available", withdrawing: "Being paid out", paid_out: "Paid out" };

export async function loadEarnings() {
  state.entriesPage = 1;
  await guarded($("earnings-error"), async () => {
    const [balance, payouts, entries] = await Promise.all([
      api("/commissions"), api("/payouts?page_size=20"), api("/commissions/entries?page=1&page_size=20")]);
    state.currency = balance.currency;
    const stats = el("dl", "", { class: "stats" });
    for (const [label, cents, note] of [
      ["Available", balance.available_cents, "withdrawable now"],
      ["Pending", balance.pending_cents, "earned, in the after-sale window"],
      ["Being paid out", balance.withdrawing_cents, "in payouts not yet paid"],
      ["Paid out", balance.paid_out_cents, "so far"]]) {
      const item = el("div", "", { class: "card" });
      item.append(el("dt", label), el("dd", cash(cents), { class: "amount" }), el("dd", note, { class: "muted" }));
      stats.append(item);
    }
    $("balance").replaceChildren(stats);
    renderPayouts(payouts);
    state.entries = entries;
    renderEntries(entries.length === 20);
  });
  await loadPayoutAccount();
}

function renderPayouts(payouts) {
  $("payouts").replaceChildren(cards([
    ["Requested", (p) => stamp(p.created_at)],
    ["Amount", (p) => cash(p.amount_cents)],
    ["Fee", (p) => cash(p.fee_cents)],
    ["You receive", (p) => cash(p.net_cents)],
    ["Status", (p) => PAYOUT[p.status] || p.status],
    ["Note", (p) => p.reason || p.last_error || p.bank_reference || ""],
  ], payouts, "Payouts"));
}

function renderEntries(more) {
  $("entries").replaceChildren(cards([
    ["When", (e) => stamp(e.created_at)],
    ["What", (e) => [ENTRY[e.kind] || e.kind, e.order_number && `order ${e.order_number}`, e.product_name]
      .filter(Boolean).join(" · ")],
    ["Balance", (e) => BUCKET[e.bucket] || e.bucket],
    ["Amount", (e) => cash(e.amount_cents)],
    ["Rate", (e) => (e.rate_bps === null ? "" : `${e.rate_bps / 100}%`)],
  ], state.entries, "Commission entries, newest first"));
  $("more-entries").hidden = !more;
}

async function loadPayoutAccount() {
  const text = $("payout-account");
  const button = $("payout-setup");
  $("payout-account-error").textContent = "";
  button.hidden = true;
  const terms = state.payoutTerms;
  const fee = terms && (terms.fee_cents || terms.fee_bps)
    ? ` A payout costs ${[terms.fee_cents && cash(terms.fee_cents), terms.fee_bps && `${terms.fee_bps / 100}%`].filter(Boolean).join(" + ")}.` : "";
  const minimum = terms ? ` Payouts from ${cash(terms.minimum_cents)}.${fee}` : "";
  // The store's terms say which question to ask: no probing for an account that cannot exist.
  if (terms?.provider === "bank_export" && !terms.has_stripe_account) {
    text.textContent = `Payouts by bank transfer: the store pays approved payouts to your bank account.${minimum}`;
    return;
  }
  if (terms && !terms.has_stripe_account) {
    text.textContent = `No Stripe payout account yet. Set one up to receive payouts by Stripe.${minimum}`;
    button.textContent = "Set up payouts by Stripe";
    button.hidden = false;
    return;
  }
  try {
    const account = await api("/payout-account");
    if (account.details_submitted) {
      text.textContent = account.transfers_enabled ? "Payouts go to your Stripe account; it is ready."
        : "Stripe is still checking your details; payouts can go out once it enables transfers.";
    } else {
      text.textContent = "Your Stripe payout account is not finished yet.";
      button.textContent = "Continue Stripe onboarding";
      button.hidden = false;
    }
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 409) text.textContent = "Payouts by bank transfer: the store pays approved payouts to your bank account.";
    else if (error.status === 404) {
      text.textContent = "No Stripe payout account yet. Set one up to receive payouts by Stripe.";
      button.textContent = "Set up payouts by Stripe";
      button.hidden = false;
    } else if (error.status !== 401) {
      text.textContent = "";
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
      if (error.status === 409) {
        $("payout-account").textContent = "Payouts by bank transfer: the store pays approved payouts to your bank account.";
        button.hidden = true;
      } else if (error.status !== 401) $("payout-account-error").textContent = explain(error);
    } finally {
      button.disabled = false;
    }
  });

  submit($("payout-form"), async (fields, form) => {
    const amount = toCents(fields.amount);
    // One key per intended payout: a retry after a lost connection reuses it, so it is paid once.
    if (!state.payoutKey || state.payoutKey.amount !== amount) state.payoutKey = { amount, key: idempotencyKey() };
    $("payout-result").textContent = "";
    try {
      const payout = await api("/payouts", { method: "POST", body: { amount_cents: amount },
        headers: { "Idempotency-Key": state.payoutKey.key } });
      state.payoutKey = null;
      form.reset();
      await loadEarnings();
      $("payout-result").textContent = `Payout of ${cash(payout.amount_cents)} requested; you receive ` +
        `${cash(payout.net_cents)} after the ${cash(payout.fee_cents)} fee once the store approves it.`;
    } catch (error) {
      if (error.status !== 0) state.payoutKey = null; // answered: a new attempt is a new request
      throw error;
    }
  });
}
