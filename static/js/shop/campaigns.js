// Live and upcoming campaigns of the shopper's group: flash sales with countdowns (reserve, then pay),
// group buys with a progress bar, pre-sales with deposit and balance, member days.
import { $, ApiError, date, dateTime, el, label, money, newKey, t, time } from "../common.js";
import { addToCart } from "./cart.js";
import { api, emit, state } from "./context.js";
import { sharePoster } from "./share.js";

function remaining(seconds) {
  if (seconds <= 0) return "00:00:00"; // the next refresh of the list shows the new phase
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  const clock = `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
  return d ? t("shop.campaigns.days_clock", { count: d, clock }) : clock;
}

/** A countdown kept current by one timer for the whole page; `key` is its text with {left}. */
function countdown(key, deadline) {
  return el("span", "", { class: "countdown", "data-countdown": key, "data-deadline": deadline });
}

function tick() {
  for (const node of document.querySelectorAll("[data-deadline]")) {
    const seconds = (new Date(node.dataset.deadline) - Date.now()) / 1000;
    node.textContent = t(node.dataset.countdown, { left: remaining(seconds) });
  }
}
setInterval(tick, 1000);

function progress(groupBuy) {
  const wrap = el("div");
  const counted = { count: groupBuy.threshold, current: groupBuy.current, threshold: groupBuy.threshold };
  const text = groupBuy.counted === "units" ? t("shop.campaigns.progress_units", counted)
    : t("shop.campaigns.progress_people", counted);
  wrap.append(el("progress", "", { max: groupBuy.threshold, value: Math.min(groupBuy.current, groupBuy.threshold), "aria-label": text }));
  wrap.append(el("p", groupBuy.outcome === "open" ? text : `${text} · ${label("outcome", groupBuy.outcome)}`, { class: "muted" }));
  return wrap;
}

async function reserveFlash(campaign, item, box) {
  box.textContent = "";
  try {
    const held = await api(`/flash-sales/${item.id}/reserve`, {
      method: "POST", body: { quantity: 1 }, headers: { "Idempotency-Key": newKey() },
    });
    box.className = "ok";
    box.textContent = t("shop.campaigns.reserved", { number: held.number, time: time(held.expires_at) });
    emit("orders-changed");
  } catch (error) {
    box.className = "error";
    box.textContent = error.message;
  }
}

function itemLine(campaign, item) {
  const currency = state.config.currency;
  const line = el("div", "", { class: "campaign-item" });
  const title = el("p", `${item.product_name} ${item.sku_name} `);
  title.append(el("span", money(item.campaign_price_cents, currency), { class: "price" }));
  if (item.list_price_cents) title.append(el("span", money(item.list_price_cents, currency), { class: "was" }));
  if (item.stock_total !== null) {
    title.append(el("span", ` · ${t("shop.campaigns.left", { left: item.stock_left, total: item.stock_total })}`, { class: "muted" }));
  }
  line.append(title);
  if (campaign.kind === "pre_sale" && item.deposit_cents !== null) {
    const counts = item.deposit_value_cents > item.deposit_cents
      ? t("shop.campaigns.deposit_counts", { value: money(item.deposit_value_cents, currency) }) : "";
    line.append(el("p", t("shop.campaigns.deposit", {
      deposit: money(item.deposit_cents, currency), counts, balance: money(item.balance_cents, currency),
      from: date(campaign.balance_starts_at), to: date(campaign.balance_ends_at),
      ships: campaign.ship_date ? date(campaign.ship_date) : t("shop.campaigns.ships_later"),
    }), { class: "muted" }));
  }
  if (item.points_multiplier) line.append(el("p", t("shop.campaigns.points", { times: item.points_multiplier }), { class: "badge" }));
  const live = campaign.phase === "live";
  const box = el("p", "", { role: "status" });
  const name = `${item.product_name} ${item.sku_name}`;
  if (campaign.kind === "flash_sale") {
    line.append(el("button", t("shop.campaigns.reserve"), {
      type: "button", disabled: !live || item.stock_left === 0, "aria-label": t("shop.campaigns.reserve_named", { name }),
      onclick: () => reserveFlash(campaign, item, box),
    }));
  } else if (campaign.kind === "pre_sale" || campaign.kind === "group_buy") {
    line.append(el("button", t(campaign.kind === "pre_sale" ? "shop.campaigns.pay_deposit" : "shop.campaigns.join"), {
      type: "button", class: "secondary", disabled: !live,
      "aria-label": t("shop.campaigns.add_named", { name, kind: label("campaignKind", campaign.kind) }),
      onclick: () => addToCart({ sku_id: item.sku_id, campaign_item_id: item.id, name: `${name} (${campaign.name})` }),
    }));
  }
  line.append(box);
  return line;
}

function campaignCard(campaign) {
  const article = el("article", "", { class: "card campaign", "data-kind": campaign.kind });
  const title = el("h3", campaign.name);
  title.append(" ", el("span", label("campaignKind", campaign.kind), { class: "badge" }));
  if (campaign.members_only) title.append(" ", el("span", t("shop.campaigns.members"), { class: "badge" }));
  article.append(title);
  if (campaign.description) article.append(el("p", campaign.description, { class: "muted" }));
  const window = campaign.next_window;
  if (campaign.phase === "live" && window) article.append(countdown("shop.campaigns.ends_in", window.end));
  else if (window) {
    article.append(countdown(campaign.phase === "warming_up" ? "shop.campaigns.starts_in" : "shop.campaigns.opens_in", window.start));
  }
  if (campaign.per_person_limit) {
    article.append(el("p", t("shop.campaigns.limit", { count: campaign.per_person_limit }), { class: "muted" }));
  }
  if (campaign.group_buy) article.append(progress(campaign.group_buy));
  for (const item of campaign.items) article.append(itemLine(campaign, item));
  article.append(posterButton(campaign));
  return article;
}

/** A poster of the campaign: its first item's picture and price, when it ends or how far the group buy is. */
function posterButton(campaign) {
  const box = el("p", "", { class: "error", role: "alert" });
  const item = campaign.items[0];
  const currency = state.config.currency;
  const window = campaign.next_window;
  const group = campaign.group_buy;
  const note = group ? t("shop.campaigns.progress_people", { count: group.threshold, current: group.current, threshold: group.threshold })
    : window && campaign.phase === "live" ? t("common.poster.ends", { when: dateTime(window.end) })
      : window ? t("common.poster.starts", { when: dateTime(window.start) }) : null;
  const button = el("button", t("common.poster.make"), { type: "button", class: "secondary poster-button", onclick: () => sharePoster({
    title: campaign.name, image: item && state.skus.get(item.sku_id)?.product.image_urls?.[0],
    price: item && money(item.campaign_price_cents, currency),
    was: item?.list_price_cents ? money(item.list_price_cents, currency) : null,
    note, details: item ? [`${item.product_name} ${item.sku_name}`] : [],
  }, box) });
  const wrap = el("div");
  wrap.append(button, box);
  return wrap;
}

export async function renderCampaigns() {
  const box = $("campaigns");
  if (!state.inGroup) {
    box.replaceChildren(el("p", t("shop.campaigns.join_first"), { class: "muted" }));
    return;
  }
  let campaigns;
  try {
    campaigns = await api("/campaigns");
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    box.replaceChildren(el("p", t("shop.campaigns.failed", { message: error.message }), { class: "error" }));
    return;
  }
  box.replaceChildren(...campaigns.map(campaignCard));
  if (!campaigns.length) box.append(el("p", t("shop.campaigns.none"), { class: "muted" }));
  tick();
}
