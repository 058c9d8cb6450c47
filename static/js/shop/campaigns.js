// Live and upcoming campaigns of the shopper's group: flash sales with countdowns (reserve, then pay),
// group buys with a progress bar, pre-sales with deposit and balance, member days.
import { $, el, money } from "../common.js";
import { addToCart } from "./cart.js";
import { api, clock, emit, newKey, state, when } from "./context.js";

const KIND = { flash_sale: "Flash sale", pre_sale: "Pre-sale", group_buy: "Group buy", member_day: "Member day" };

const day = (iso) => (iso ? when(iso, { dateStyle: "medium" }) : "–");

function remaining(seconds) {
  if (seconds <= 0) return "now";
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  const clock = `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
  return d ? `${d}d ${clock}` : clock;
}

/** A countdown kept current by one timer for the whole page. */
function countdown(label, deadline) {
  return el("span", "", { class: "countdown", "data-label": label, "data-deadline": deadline });
}

function tick() {
  for (const node of document.querySelectorAll("[data-deadline]")) {
    const seconds = (new Date(node.dataset.deadline) - Date.now()) / 1000;
    node.textContent = `${node.dataset.label} ${remaining(seconds)}`;
  }
}
setInterval(tick, 1000);

function progress(groupBuy) {
  const wrap = el("div");
  const unit = groupBuy.counted === "units" ? "units" : "neighbours";
  const label = `${groupBuy.current} of ${groupBuy.threshold} ${unit} joined`;
  wrap.append(el("progress", "", { max: groupBuy.threshold, value: Math.min(groupBuy.current, groupBuy.threshold), "aria-label": label }));
  wrap.append(el("p", groupBuy.outcome === "open" ? label : `${label} · ${groupBuy.outcome}`, { class: "muted" }));
  return wrap;
}

async function reserveFlash(campaign, item, box) {
  box.textContent = "";
  try {
    const held = await api(`/flash-sales/${item.id}/reserve`, {
      method: "POST", body: { quantity: 1 }, headers: { "Idempotency-Key": newKey() },
    });
    box.className = "ok";
    box.textContent = `Reserved: order ${held.number}. Pay before ${clock(held.expires_at)} in My orders.`;
    emit("orders-changed");
  } catch (error) {
    box.className = "error";
    box.textContent = error.message;
  }
}

function itemLine(campaign, item) {
  const line = el("div", "", { class: "campaign-item" });
  const title = el("p", `${item.product_name} ${item.sku_name} `);
  title.append(el("span", money(item.campaign_price_cents, state.config.currency), { class: "price" }));
  if (item.list_price_cents) title.append(el("span", money(item.list_price_cents, state.config.currency), { class: "was" }));
  if (item.stock_total !== null) title.append(el("span", ` · ${item.stock_left} of ${item.stock_total} left`, { class: "muted" }));
  line.append(title);
  if (campaign.kind === "pre_sale" && item.deposit_cents !== null) {
    const counts = item.deposit_value_cents > item.deposit_cents ? ` (counts as ${money(item.deposit_value_cents, state.config.currency)})` : "";
    line.append(el("p", `Deposit ${money(item.deposit_cents, state.config.currency)}${counts} now, ` +
      `balance ${money(item.balance_cents, state.config.currency)} between ${day(campaign.balance_starts_at)} ` +
      `and ${day(campaign.balance_ends_at)}; ships ${campaign.ship_date ?? "when announced"}.`, { class: "muted" }));
  }
  if (item.points_multiplier) line.append(el("p", `${item.points_multiplier}× points`, { class: "badge" }));
  const live = campaign.phase === "live";
  const box = el("p", "", { role: "status" });
  const name = `${item.product_name} ${item.sku_name}`;
  if (campaign.kind === "flash_sale") {
    line.append(el("button", "Reserve", {
      type: "button", disabled: !live || item.stock_left === 0, "aria-label": `Reserve ${name}`,
      onclick: () => reserveFlash(campaign, item, box),
    }));
  } else if (campaign.kind === "pre_sale" || campaign.kind === "group_buy") {
    line.append(el("button", campaign.kind === "pre_sale" ? "Pay deposit" : "Join", {
      type: "button", class: "secondary", disabled: !live, "aria-label": `Add ${name} (${KIND[campaign.kind]}) to cart`,
      onclick: () => addToCart({ sku_id: item.sku_id, campaign_item_id: item.id, name: `${name} (${campaign.name})` }),
    }));
  }
  line.append(box);
  return line;
}

function campaignCard(campaign) {
  const article = el("article", "", { class: "card campaign", "data-kind": campaign.kind });
  const title = el("h3", campaign.name);
  title.append(" ", el("span", KIND[campaign.kind] || campaign.kind, { class: "badge" }));
  if (campaign.members_only) title.append(" ", el("span", "Members", { class: "badge" }));
  article.append(title);
  if (campaign.description) article.append(el("p", campaign.description, { class: "muted" }));
  const window = campaign.next_window;
  if (campaign.phase === "live" && window) article.append(countdown("Ends in", window.end));
  else if (window) article.append(countdown(campaign.phase === "warming_up" ? "Starts in" : "Opens in", window.start));
  if (campaign.per_person_limit) article.append(el("p", `Up to ${campaign.per_person_limit} per person`, { class: "muted" }));
  if (campaign.group_buy) article.append(progress(campaign.group_buy));
  for (const item of campaign.items) article.append(itemLine(campaign, item));
  return article;
}

export async function renderCampaigns() {
  const box = $("campaigns");
  if (!state.inGroup) {
    box.replaceChildren(el("p", "Log in and join the group to see its sales.", { class: "muted" }));
    return;
  }
  const campaigns = await api("/campaigns");
  box.replaceChildren(...campaigns.map(campaignCard));
  if (!campaigns.length) box.append(el("p", "No sales at the moment.", { class: "muted" }));
  tick();
}
