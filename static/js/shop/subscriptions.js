// My subscriptions (next delivery, next charge, skip, pause, resume, cancel) and subscribing to an
// item the merchant offers a plan for, paid from the wallet or a card saved through Stripe.
import { $, ApiError, date, dateTime, el, label, money, onSubmit, t } from "../common.js";
import { api, report, state } from "./context.js";
import { confirmWithCard } from "./stripe.js";

let plans = [];

// "every week", "every 2 weeks": one plural entry per unit the API has (day, week, month).
const EVERY = { day: "shop.subscriptions.every_day", week: "shop.subscriptions.every_week",
  month: "shop.subscriptions.every_month" };

const every = ({ unit, count }) => (EVERY[unit] ? t(EVERY[unit], { count }) : `${count} ${unit}`);

function statusText(sub) {
  const status = sub.status === "paused" && sub.pause_reason === "payment_failed"
    ? t("shop.subscriptions.payment_failed") : label("subscription", sub.status);
  return sub.paused_until ? t("shop.subscriptions.until", { status, day: date(sub.paused_until) }) : status;
}

function subscriptionCard(sub) {
  const article = el("article", "", { class: "card subscription" });
  article.append(el("h3", `${state.skus.get(sub.sku_id)?.product.name ?? ""} ${sub.sku_name} × ${sub.quantity}`.trim()));
  article.append(el("p", `${every(sub.interval)} · ${statusText(sub)}`));
  if (sub.next_delivery_date) {
    const day = date(sub.next_delivery_date);
    article.append(el("p", sub.next_charge_cents === null ? t("shop.subscriptions.next", { day })
      : t("shop.subscriptions.next_charge", { day, amount: money(sub.next_charge_cents, state.config.currency),
        when: dateTime(sub.next_charge_at) }), { class: "muted" }));
  }
  if (sub.skips.length) {
    article.append(el("p", t("shop.subscriptions.skipping", { days: sub.skips.map(date).join(t("common.list_separator")) }),
      { class: "muted" }));
  }
  const errorBox = el("p", "", { class: "error", role: "alert" });
  const act = (key, path, body) => el("button", t(key), {
    type: "button", class: "secondary", "aria-label": t("shop.subscriptions.action_named", { action: t(key), name: sub.sku_name }),
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
  if (sub.status === "active") actions.append(act("shop.subscriptions.skip", "skip", {}), act("shop.subscriptions.pause", "pause", {}));
  if (sub.status === "paused") actions.append(act("shop.subscriptions.resume", "resume", {}));
  if (sub.status !== "cancelled") actions.append(act("shop.subscriptions.cancel", "cancel"));
  article.append(actions, errorBox);
  return article;
}

function fillPlanChoices() {
  const select = $("subscribe-plan");
  select.replaceChildren(...plans.map((plan, i) => {
    const known = state.skus.get(plan.sku_id);
    const name = known ? `${known.product.name} ${known.sku.name}` : t("shop.cart.item", { id: plan.sku_id });
    const off = plan.discount_bps ? t("shop.subscriptions.off", { percent: plan.discount_bps / 100 }) : "";
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
    box.replaceChildren(el("p", t("shop.subscriptions.log_in"), { class: "muted" }));
    return;
  }
  const [mine, offered] = await Promise.all([api("/subscriptions"), api("/subscription-plans")]);
  plans = offered;
  box.replaceChildren(...mine.map(subscriptionCard));
  if (!mine.length) box.append(el("p", t("shop.subscriptions.none"), { class: "muted" }));
  fillPlanChoices();
  if (!plans.length) $("subscribe-form").hidden = true;
  if (state.nextPickupDate && !$("subscribe-start").value) $("subscribe-start").value = state.nextPickupDate;
}

export function initSubscriptions() {
  if (state.config.card_payments) $("subscribe-pay-with").append(new Option(t("shop.pay.card"), "card"));
  $("subscribe-plan").addEventListener("change", fillIntervals);
  onSubmit($("subscribe-form"), async (fields) => {
    const plan = plans[Number(fields.plan)];
    const [interval_unit, interval_count] = fields.interval.split(":");
    const body = { sku_id: plan.sku_id, quantity: Number(fields.quantity), interval_unit,
      interval_count: Number(interval_count), start_date: fields.start_date, pay_with: fields.pay_with };
    if (fields.pay_with === "card") {
      const setup = await api("/subscriptions/card-setup", { method: "POST" });
      const intent = await confirmWithCard(setup.client_secret, { setup: true, label: t("shop.card.save") });
      body.setup_intent_id = intent.id;
    }
    await api("/subscriptions", { method: "POST", body });
    await renderSubscriptions();
  });
  $("subscribe-form").addEventListener("reset", () => renderSubscriptions().catch(report));
}
