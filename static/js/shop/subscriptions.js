// My subscriptions (next delivery, next charge, skip, pause, resume, cancel) and subscribing to an
// item the merchant offers a plan for, paid from the wallet or a card saved through Stripe.
import { $, ApiError, el, money, onSubmit } from "../common.js";
import { api, report, state, when } from "./context.js";
import { confirmWithCard } from "./stripe.js";

let plans = [];

function every({ unit, count }) {
  return count === 1 ? `every ${unit}` : `every ${count} ${unit}s`;
}

function subscriptionCard(sub) {
  const article = el("article", "", { class: "card subscription" });
  article.append(el("h3", `${state.skus.get(sub.sku_id)?.product.name ?? ""} ${sub.sku_name} × ${sub.quantity}`.trim()));
  const status = sub.status === "paused" && sub.pause_reason === "payment_failed" ? "paused: the payment failed" : sub.status;
  article.append(el("p", `${every(sub.interval)} · ${status}${sub.paused_until ? ` until ${sub.paused_until}` : ""}`));
  if (sub.next_delivery_date) {
    const charge = sub.next_charge_cents === null ? "" : `; ${money(sub.next_charge_cents, state.config.currency)} charged ${when(sub.next_charge_at)}`;
    article.append(el("p", `Next delivery ${sub.next_delivery_date}${charge}`, { class: "muted" }));
  }
  if (sub.skips.length) article.append(el("p", `Skipping ${sub.skips.join(", ")}`, { class: "muted" }));
  const errorBox = el("p", "", { class: "error", role: "alert" });
  const act = (label, path, body) => el("button", label, {
    type: "button", class: "secondary", "aria-label": `${label} ${sub.sku_name}`,
    onclick: async () => {
      errorBox.textContent = "";
      try {
        await api(`/subscriptions/${sub.id}/${path}`, { method: "POST", body });
        await renderSubscriptions();
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        errorBox.textContent = error.message;
      }
    },
  });
  const actions = el("div", "", { class: "row" });
  if (sub.status === "active") actions.append(act("Skip next", "skip", {}), act("Pause", "pause", {}));
  if (sub.status === "paused") actions.append(act("Resume", "resume", {}));
  if (sub.status !== "cancelled") actions.append(act("Cancel", "cancel"));
  article.append(actions, errorBox);
  return article;
}

function fillPlanChoices() {
  const select = $("subscribe-plan");
  select.replaceChildren(...plans.map((plan, i) => {
    const known = state.skus.get(plan.sku_id);
    const name = known ? `${known.product.name} ${known.sku.name}` : `Item ${plan.sku_id}`;
    const off = plan.discount_bps ? ` (${plan.discount_bps / 100}% off)` : "";
    return new Option(name + off, String(i));
  }));
  fillIntervals();
}

function fillIntervals() {
  const plan = plans[Number($("subscribe-plan").value)];
  $("subscribe-interval").replaceChildren(...(plan?.intervals ?? []).map((iv) => new Option(every(iv), `${iv.unit}:${iv.count}`)));
}

export async function renderSubscriptions() {
  const box = $("subscriptions");
  $("subscribe-form").hidden = !state.inGroup;
  if (!state.me) {
    box.replaceChildren(el("p", "Log in to see your subscriptions.", { class: "muted" }));
    return;
  }
  const [mine, offered] = await Promise.all([api("/subscriptions"), api("/subscription-plans")]);
  plans = offered;
  box.replaceChildren(...mine.map(subscriptionCard));
  if (!mine.length) box.append(el("p", "No subscriptions yet.", { class: "muted" }));
  fillPlanChoices();
  if (!plans.length) $("subscribe-form").hidden = true;
  if (state.nextPickupDate && !$("subscribe-start").value) $("subscribe-start").value = state.nextPickupDate;
}

export function initSubscriptions() {
  if (state.config.card_payments) $("subscribe-pay-with").append(new Option("Card", "card"));
  $("subscribe-plan").addEventListener("change", fillIntervals);
  onSubmit($("subscribe-form"), async (fields) => {
    const plan = plans[Number(fields.plan)];
    const [interval_unit, interval_count] = fields.interval.split(":");
    const body = { sku_id: plan.sku_id, quantity: Number(fields.quantity), interval_unit,
      interval_count: Number(interval_count), start_date: fields.start_date, pay_with: fields.pay_with };
    if (fields.pay_with === "card") {
      const setup = await api("/subscriptions/card-setup", { method: "POST" });
      const intent = await confirmWithCard(setup.client_secret, { setup: true, label: "Save card" });
      body.setup_intent_id = intent.id;
    }
    await api("/subscriptions", { method: "POST", body });
    await renderSubscriptions();
  });
  $("subscribe-form").addEventListener("reset", () => renderSubscriptions().catch(report));
}
