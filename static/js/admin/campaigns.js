// Campaigns tab: the list with review actions (submit, approve, reject with a reason), a form for a
// new flash sale or group buy with one SKU, and each approved campaign's stats.
import { $, el, onSubmit } from "../common.js";
import { api, fmtDateTime, fmtMoney, storeLocalInput, toCents, words } from "./context.js";
import { actionButton, actions, askReason, dataTable, figure, notify, pagedList, query, reportFailure } from "./ui.js";

const panel = () => $("campaign-detail");

async function decide(campaign, verb, body) {
  const updated = await api(`/campaigns/${campaign.id}/${verb}`, { method: "POST", body });
  notify(`“${updated.name}” is ${words(updated.review)}.`);
  await list.reload();
}

function reviewActions(c) {
  const name = `“${c.name}”`;
  if (c.review === "draft" || c.review === "rejected") {
    return actions(actionButton("Submit", () => decide(c, "submit"), { label: `Submit ${name} for review` }));
  }
  if (c.review === "submitted") {
    return actions(
      actionButton("Approve", () => decide(c, "approve"), { label: `Approve ${name}` }),
      actionButton("Reject", () => askReason(panel(), {
        title: `Why is ${name} rejected?`, send: (reason) => decide(c, "reject", { reason }),
      }), { label: `Reject ${name}`, secondary: true }),
    );
  }
  return actions(actionButton("Stats", () => showStats(c), { label: `Stats of ${name}`, secondary: true }));
}

function itemsText(c) {
  return c.items.map((i) => `${i.product_name} (${i.sku_name}) ${fmtMoney(i.campaign_price_cents)}` +
    (i.stock_total === null ? "" : ` × ${i.stock_total}`)).join("; ");
}

function render(campaigns) {
  return dataTable([
    ["Name", (c) => c.name],
    ["Kind", (c) => words(c.kind)],
    ["Review", (c) => {
      const cell = el("span", "");
      cell.append(el("span", words(c.review), { class: "badge" }));
      if (c.rejection_reason) cell.append(el("span", ` ${c.rejection_reason}`, { class: "muted" }));
      return cell;
    }],
    ["Phase", (c) => words(c.phase)],
    ["Window", (c) => `${fmtDateTime(c.starts_at)} – ${fmtDateTime(c.ends_at)}`],
    ["Items", itemsText],
    ["Limit", (c) => (c.per_person_limit ? String(c.per_person_limit) : "–"), "num"],
    ["Actions", reviewActions],
  ], campaigns, "Campaigns");
}

const list = pagedList($("campaigns-list"), {
  what: "campaigns",
  fetchPage: (page, size) => api(`/campaigns${query({ review: $("campaigns-review").value, page, page_size: size })}`),
  render,
});

async function showStats(campaign) {
  const stats = await api(`/campaigns/${campaign.id}/stats`);
  const skuName = new Map(campaign.items.map((i) => [i.sku_id, `${i.product_name} (${i.sku_name})`]));
  const strip = el("div", "", { class: "figures" });
  strip.append(figure("Revenue", fmtMoney(stats.revenue_cents)), figure("Unique buyers", String(stats.unique_buyers)));
  const heading = el("h3", `Stats: ${campaign.name}`, { tabindex: "-1" });
  panel().replaceChildren(heading, strip,
    dataTable([
      ["Item", (i) => skuName.get(i.sku_id) ?? `SKU ${i.sku_id}`],
      ["Stock", (i) => (i.stock_total ?? "–").toString(), "num"],
      ["Reserved", (i) => String(i.reserved), "num"],
      ["Sold", (i) => (i.sold ?? "–").toString(), "num"],
      ["Sell-through", (i) => (i.sell_through_pct === null ? "–" : `${i.sell_through_pct.toFixed(1)}%`), "num"],
      ["Revenue", (i) => fmtMoney(i.revenue_cents), "num"],
      ["Buyers", (i) => String(i.unique_buyers), "num"],
    ], stats.items, "Per item"),
    dataTable([
      ["Group", (g) => g.group_name ?? `#${g.group_id}`],
      ["Units", (g) => String(g.units), "num"],
      ["Revenue", (g) => fmtMoney(g.revenue_cents), "num"],
      ["Buyers", (g) => String(g.unique_buyers), "num"],
    ], stats.groups, "Per group"));
  heading.focus();
}

/** Fill the SKU picker with active products' SKUs (optionally those whose name matches). */
async function loadSkus(q = "") {
  const products = await api(`/products${query({ status: "active", q, page_size: 100 })}`);
  const select = $("campaign-sku");
  select.replaceChildren(new Option(products.length ? "Choose a product" : "No active product matches", ""));
  for (const p of products) {
    for (const s of p.skus.filter((sku) => sku.is_active)) {
      select.append(new Option(`${p.name} – ${s.name} (${s.code}), ${fmtMoney(s.price_cents)}, ${s.stock_available} in stock`, s.id));
    }
  }
}

/** Group-buy fields are shown (and sent) only for a group buy. */
function toggleKind() {
  const groupBuy = $("campaign-kind").value === "group_buy";
  const box = $("campaign-threshold");
  box.hidden = !groupBuy;
  for (const input of box.querySelectorAll("input, select")) input.disabled = !groupBuy;
}

function campaignBody(f) {
  const int = (v) => (v === undefined ? undefined : Number.parseInt(v, 10));
  const body = {
    kind: f.kind, name: f.name, description: f.description, starts_at: f.starts_at, ends_at: f.ends_at,
    per_person_limit: int(f.per_person_limit),
    items: [{ sku_id: int(f.sku_id), campaign_price_cents: toCents(f.campaign_price), stock_total: int(f.stock_total) }],
  };
  if (f.kind === "group_buy") {
    Object.assign(body, { threshold_kind: f.threshold_kind, threshold: int(f.threshold), threshold_scope: f.threshold_scope });
  }
  return JSON.parse(JSON.stringify(body)); // drops the fields left empty
}

export function init() {
  $("campaigns-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    list.reload().catch(reportFailure);
  });
  $("campaign-kind").addEventListener("change", toggleKind);
  toggleKind();
  $("campaign-find").addEventListener("click", () => loadSkus($("campaign-q").value.trim()).catch(reportFailure));
  $("campaign-q").addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); $("campaign-find").click(); }
  });
  onSubmit($("campaign-form"), async (fields, form) => {
    const created = await api("/campaigns", { method: "POST", body: campaignBody(fields) });
    form.reset();
    toggleKind();
    prefillWindow();
    notify(`Draft “${created.name}” created: submit it for review.`);
    await list.reload();
  });
}

function prefillWindow() {
  const form = $("campaign-form");
  if (!form.starts_at.value) form.starts_at.value = storeLocalInput(60);
  if (!form.ends_at.value) form.ends_at.value = storeLocalInput(60 + 24 * 60);
}

let skusLoaded = false;

export async function show() {
  prefillWindow();
  if (!skusLoaded) { await loadSkus(); skusLoaded = true; }
  return list.reload();
}
