// Campaigns tab: the list with review actions (submit, approve, reject with a reason, translate a
// draft), a form for a new campaign of any kind with one SKU (and its name in other languages), and
// each approved campaign's stats.
import { $, ApiError, confirmAction, dateTime, describeError, el, label, money, onSubmit, storeLocalInput, t, toMinor } from "../common.js";
import { api, can } from "./context.js";
import { actionButton, actions, askReason, dataTable, figure, notify, pagedList, query, reportFailure } from "./ui.js";
import { languageFieldsets, nameAndDescription, translationsFrom } from "./translations.js";

// The longest name and description a campaign takes, in any language (app/content.py TRANSLATABLE).
const TEXTS = { name: 120, description: 2000 };

const panel = () => $("campaign-detail");

async function decide(campaign, verb, body) {
  const updated = await api(`/campaigns/${campaign.id}/${verb}`, { method: "POST", body });
  notify(t("admin.campaigns.decided", { name: updated.name, review: label("review", updated.review) }));
  await list.reload();
}

function reviewActions(c) {
  const name = c.name;
  if (c.review === "draft" || c.review === "rejected") {
    // Only these can still change (the API locks a campaign once submitted): translate before submitting.
    return actions(can("campaigns.edit") && actionButton(t("admin.campaigns.submit"), () => decide(c, "submit"),
      { label: t("admin.campaigns.submit_named", { name }) }),
    can("campaigns.edit") && actionButton(t("admin.content.translate"), () => translate(c),
      { label: t("admin.content.translate_named", { name }), secondary: true }));
  }
  if (c.review === "submitted") {
    if (!can("campaigns.approve")) return "";
    return actions(
      actionButton(t("admin.approve"), () => confirmAction({ title: t("admin.confirm.campaign_title", { name }),
        message: t("admin.confirm.campaign_message"), confirm: t("admin.approve"), onConfirm: () => decide(c, "approve") }), { label: t("admin.campaigns.approve_named", { name }) }),
      actionButton(t("admin.reject"), () => askReason(panel(), {
        title: t("admin.campaigns.why_reject", { name }), send: (reason) => decide(c, "reject", { reason }),
      }), { label: t("admin.campaigns.reject_named", { name }), secondary: true }),
    );
  }
  return actions(actionButton(t("admin.campaigns.stats"), () => showStats(c),
    { label: t("admin.campaigns.stats_named", { name }), secondary: true }));
}

function itemsText(c) {
  return c.items.map((i) => `${i.product_name} (${i.sku_name}) ${money(i.campaign_price_cents)}` +
    (i.stock_total === null ? "" : ` × ${i.stock_total}`)).join(t("common.list_separator"));
}

function render(campaigns) {
  return dataTable([
    [t("admin.campaigns.name"), (c) => c.name],
    [t("admin.campaigns.kind"), (c) => label("campaignKind", c.kind)],
    [t("admin.campaigns.review_col"), (c) => {
      const cell = el("span", "");
      cell.append(el("span", label("review", c.review), { class: "badge" }));
      if (c.rejection_reason) cell.append(el("span", ` ${c.rejection_reason}`, { class: "muted" }));
      return cell;
    }],
    [t("admin.campaigns.phase"), (c) => label("phase", c.phase)],
    [t("admin.campaigns.window"), (c) => `${dateTime(c.starts_at)} – ${dateTime(c.ends_at)}`],
    [t("admin.campaigns.items"), itemsText],
    [t("admin.campaigns.limit"), (c) => (c.per_person_limit ? String(c.per_person_limit) : "–"), "num"],
    [t("admin.campaigns.actions"), reviewActions],
  ], campaigns, t("admin.tabs.campaigns"), { empty: t("admin.empty.campaigns") });
}

const list = pagedList($("campaigns-list"), {
  what: () => t("admin.what.campaigns"),
  fetchPage: (page, size) => api(`/campaigns${query({ review: $("campaigns-review").value, page, page_size: size })}`),
  render,
});

async function showStats(campaign) {
  const stats = await api(`/campaigns/${campaign.id}/stats`);
  const skuName = new Map(campaign.items.map((i) => [i.sku_id, `${i.product_name} (${i.sku_name})`]));
  const strip = el("div", "", { class: "figures" });
  strip.append(figure(t("admin.campaigns.revenue"), money(stats.revenue_cents)),
    figure(t("admin.campaigns.unique_buyers"), String(stats.unique_buyers)));
  const heading = el("h3", t("admin.campaigns.stats_title", { name: campaign.name }), { tabindex: "-1" });
  const sellThrough = (pct) => (pct === null ? "–" : `${pct.toFixed(1)}%`);
  panel().replaceChildren(heading, strip,
    dataTable([
      [t("admin.campaigns.item"), (i) => skuName.get(i.sku_id) ?? t("admin.campaigns.sku", { id: i.sku_id })],
      [t("admin.campaigns.stock"), (i) => (i.stock_total ?? "–").toString(), "num"],
      [t("admin.campaigns.reserved"), (i) => String(i.reserved), "num"],
      [t("admin.campaigns.sold"), (i) => (i.sold ?? "–").toString(), "num"],
      [t("admin.campaigns.sell_through"), (i) => sellThrough(i.sell_through_pct), "num"],
      [t("admin.campaigns.revenue"), (i) => money(i.revenue_cents), "num"],
      [t("admin.campaigns.buyers"), (i) => String(i.unique_buyers), "num"],
    ], stats.items, t("admin.campaigns.per_item"), { empty: t("admin.empty.campaign_items") }),
    dataTable([
      [t("admin.orders.group"), (g) => g.group_name ?? `#${g.group_id}`],
      [t("admin.campaigns.units"), (g) => String(g.units), "num"],
      [t("admin.campaigns.revenue"), (g) => money(g.revenue_cents), "num"],
      [t("admin.campaigns.buyers"), (g) => String(g.unique_buyers), "num"],
    ], stats.groups, t("admin.campaigns.per_group"), { empty: t("admin.empty.campaign_groups") }));
  heading.focus();
}

/** The campaign's name and description in the other languages, saved with PATCH (drafts and rejected). */
async function translate(listed) {
  // Read it now: the list may be stale, and this read's ETag is what the PATCH sends as If-Match.
  const campaign = await api(`/campaigns/${listed.id}`);
  const heading = el("h3", t("admin.content.title", { name: campaign.name }), { tabindex: "-1" });
  const form = el("form", "", { id: "campaign-translate" });
  const error = el("p", "", { class: "error", role: "alert" });
  form.append(...languageFieldsets((tag) => nameAndDescription(campaign, "campaign", tag, TEXTS)),
    el("button", t("admin.content.save"), { type: "submit" }), error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const translations = translationsFrom(Object.fromEntries(new FormData(form)), campaign.translations, "campaign",
      Object.keys(TEXTS));
    try {
      await api(`/campaigns/${campaign.id}`, { method: "PATCH", body: { translations } });
    } catch (failure) {
      if (!(failure instanceof ApiError)) throw failure;
      error.textContent = describeError(failure, form);
      return;
    }
    panel().replaceChildren();
    notify(t("admin.content.saved", { name: campaign.name }));
    await list.reload();
  });
  panel().replaceChildren(heading, el("p", t("admin.content.help"), { class: "muted" }), form);
  heading.focus();
}

/** Fill the SKU picker with active products' SKUs (optionally those whose name matches). */
async function loadSkus(q = "") {
  const products = await api(`/products${query({ status: "active", q, page_size: 100 })}`);
  const select = $("campaign-sku");
  select.replaceChildren(new Option(t(products.length ? "admin.campaigns.choose" : "admin.campaigns.no_match"), ""));
  for (const p of products) {
    for (const s of p.skus.filter((sku) => sku.is_active)) {
      select.append(new Option(t("admin.campaigns.sku_option", { product: p.name, sku: s.name, code: s.code,
        price: money(s.price_cents), count: s.stock_available }), s.id));
    }
  }
}

/** Each kind's own fields (fieldsets with data-kind) are shown and sent only for that kind; a
 * member day has no campaign stock of its own (it sells from regular stock). */
function toggleKind() {
  const kind = $("campaign-kind").value;
  for (const box of $("campaign-form").querySelectorAll("fieldset[data-kind]")) {
    box.hidden = box.dataset.kind !== kind;
    for (const input of box.querySelectorAll("input, select")) input.disabled = box.hidden;
  }
  $("campaign-stock").disabled = kind === "member_day";
}

function campaignBody(f) {
  const int = (v) => (v === undefined ? undefined : Number.parseInt(v, 10));
  const body = {
    kind: f.kind, name: f.name, description: f.description, starts_at: f.starts_at, ends_at: f.ends_at,
    per_person_limit: int(f.per_person_limit),
    items: [{ sku_id: int(f.sku_id), campaign_price_cents: toMinor(f.campaign_price), stock_total: int(f.stock_total) }],
  };
  if (f.kind === "pre_sale") {
    Object.assign(body.items[0], { deposit_cents: toMinor(f.deposit), deposit_value_cents: toMinor(f.deposit_value) });
    Object.assign(body, { balance_starts_at: f.balance_starts_at, balance_ends_at: f.balance_ends_at,
      ship_date: f.ship_date, balance_policy: f.balance_policy });
  }
  if (f.kind === "member_day") {
    Object.assign(body, { day_of_month: int(f.day_of_month) });
    body.items[0].points_multiplier = int(f.points_multiplier);
  }
  if (f.kind === "group_buy") {
    Object.assign(body, { threshold_kind: f.threshold_kind, threshold: int(f.threshold), threshold_scope: f.threshold_scope });
  }
  const translations = translationsFrom(f, null, "campaign", Object.keys(TEXTS));
  if (translations) body.translations = translations;
  return JSON.parse(JSON.stringify(body)); // drops the fields left empty
}

export function init() {
  $("campaigns-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    list.reload().catch(reportFailure);
  });
  $("campaign-translations").replaceChildren(...languageFieldsets((tag) => nameAndDescription(null, "campaign", tag, TEXTS)));
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
    notify(t("admin.campaigns.created", { name: created.name }));
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
  // The SKU picker is for the new-campaign form, shown only to roles that may create campaigns.
  if (!skusLoaded && can("campaigns.edit") && can("catalog.read")) { await loadSkus(); skusLoaded = true; }
  return list.reload();
}
