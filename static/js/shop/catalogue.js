// The catalogue of the group as a two-column grid of product cards (picture, name, price, member
// price, the saving) with a detail sheet per product, and the member zone: products only members
// may buy, and member prices. A product with one SKU is added from its card; several SKUs are
// chosen in the sheet. A link with ?p=<product id> (a product poster's QR) opens that sheet.
import { $, ApiError, el, money, newKey, t } from "../common.js";
import { addToCart, PAY_LABELS } from "./cart.js";
import { api, code, on, report, state } from "./context.js";
import { sharePoster } from "./share.js";
import { payTopUp, topUpMethods } from "./wallet.js";

const hasMemberPrice = (sku) => sku.member_price_cents !== null && sku.member_price_cents !== undefined;
const cheapest = (product) => product.skus.reduce((a, b) => (b.price_cents < a.price_cents ? b : a), product.skus[0]);

function addButton(product, sku, text = t("shop.products.add")) {
  const soldOut = sku.stock_available <= 0;
  const locked = product.members_only && !state.member?.active;
  const canBuy = state.inGroup && !soldOut && !locked;
  return el("button", text, {
    type: "button", class: "add", disabled: !canBuy,
    "aria-label": t("shop.products.add_named", { name: `${product.name} ${sku.name}` }),
    title: locked ? t("shop.products.members_only") : state.inGroup ? null : t("shop.products.join_to_order"),
    onclick: () => addToCart({ sku_id: sku.id, name: `${product.name} ${sku.name}` }),
  });
}

/** Price, the struck-through price it is compared with, the member price and what one saves. */
function prices(sku) {
  const box = el("p", "", { class: "prices" });
  box.append(el("span", money(sku.price_cents, sku.currency), { class: "price" }));
  if (sku.compare_at_price_cents > sku.price_cents) {
    box.append(el("span", money(sku.compare_at_price_cents, sku.currency), { class: "was" }));
  }
  const tags = el("p", "", { class: "tags" });
  if (hasMemberPrice(sku)) tags.append(el("span", t("shop.products.member_price", { price: money(sku.member_price_cents, sku.currency) }), { class: "badge" }));
  const saving = sku.compare_at_price_cents > sku.price_cents ? sku.compare_at_price_cents - sku.price_cents
    : hasMemberPrice(sku) ? sku.price_cents - sku.member_price_cents : 0;
  if (saving > 0) tags.append(el("span", t("shop.products.saving", { amount: money(saving, sku.currency) }), { class: "saving" }));
  return [box, tags];
}

function stockText(sku) {
  return sku.stock_available <= 0 ? t("shop.products.sold_out") : t("shop.products.left", { count: sku.stock_available });
}

function picture(product, cls) {
  const url = product.image_urls?.[0];
  return url ? el("img", "", { src: url, alt: product.name, loading: "lazy", class: cls })
    // No picture yet: the name's first character, drawn by CSS (decoration, not text to read).
    : el("div", "", { class: `${cls} placeholder`, "aria-hidden": "true", "data-initial": [...product.name][0] ?? "" });
}

function card(product) {
  for (const sku of product.skus) state.skus.set(sku.id, { product, sku });
  const sku = cheapest(product);
  const article = el("article", "", { class: "product-card", "data-product": product.id });
  const open = el("button", "", { type: "button", class: "open", "aria-label": t("shop.products.details_named", { name: product.name }),
    onclick: () => openSheet(product) });
  open.append(picture(product, "thumb"));
  article.append(open);
  const title = el("h3", product.name);
  if (product.members_only) {
    title.append(" ", el("span", product.min_tier ? t("shop.products.min_tier", { tier: product.min_tier })
      : t("shop.campaigns.members"), { class: "badge" }));
  }
  article.append(title);
  if (!sku) return article;
  article.append(...prices(sku), el("p", stockText(sku), { class: "muted stock" }));
  article.append(product.skus.length === 1 ? addButton(product, sku)
    : el("button", t("shop.products.choose"), { type: "button", class: "add secondary", onclick: () => openSheet(product) }));
  return article;
}

/** The detail sheet: every picture, the description, each SKU with its prices and an Add button. */
export function openSheet(product) {
  const sheet = $("product-sheet");
  const gallery = el("div", "", { class: "gallery" });
  for (const url of product.image_urls?.length ? product.image_urls : [null]) {
    gallery.append(url ? el("img", "", { src: url, alt: product.name }) : picture(product, "thumb"));
  }
  const parts = [gallery, el("h2", product.name)];
  if (product.description) parts.push(el("p", product.description, { class: "muted" }));
  for (const sku of product.skus) {
    const line = el("div", "", { class: "sku-line" });
    line.append(el("p", sku.name, { class: "sku-name" }), ...prices(sku), el("p", stockText(sku), { class: "muted" }),
      addButton(product, sku));
    parts.push(line);
  }
  const actions = el("div", "", { class: "row" });
  if (state.inGroup) {
    const sku = cheapest(product);
    actions.append(el("button", t("common.poster.make"), { type: "button", class: "secondary", onclick: () => sharePoster({
      title: product.name, image: product.image_urls?.[0], price: sku && money(sku.price_cents, sku.currency),
      was: sku?.compare_at_price_cents > sku?.price_cents ? money(sku.compare_at_price_cents, sku.currency) : null,
      note: sku && hasMemberPrice(sku) ? t("shop.products.member_price", { price: money(sku.member_price_cents, sku.currency) }) : null,
      details: [sku?.name, t("common.poster.pickup_at", { point: state.group.pickup_point.name })].filter(Boolean),
      query: `?p=${product.id}`,
    }, $("sheet-error")) }));
  }
  actions.append(el("button", t("common.close"), { type: "button", class: "secondary", onclick: () => sheet.close() }));
  parts.push(actions, el("p", "", { class: "error", id: "sheet-error", role: "alert" }));
  sheet.replaceChildren(...parts);
  if (!sheet.open) sheet.showModal();
}

async function fetchProducts(params) {
  params.set("page_size", "50");
  return api(`/groups/${encodeURIComponent(code)}/products?${params}`);
}

let deepLinked = false;

/** The products list, filtered by the form; member-zone products are listed in their own section. */
export async function renderProducts() {
  const params = new URLSearchParams();
  for (const [key, value] of new FormData($("filter-form"))) if (value) params.set(key, value);
  $("products-error").textContent = "";
  let filtered;
  let all;
  try {
    // The member zone lists the whole catalogue; without a filter one request serves both lists.
    filtered = await fetchProducts(new URLSearchParams(params));
    all = params.size ? await fetchProducts(new URLSearchParams()) : filtered;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    $("products").replaceChildren();
    $("products-error").textContent = t("shop.products.failed", { message: error.message });
    return;
  }
  const list = $("products");
  const regular = filtered.filter((p) => !p.members_only);
  list.replaceChildren(...regular.map(card));
  if (!regular.length) list.append(el("p", t(params.size ? "shop.products.none" : "shop.products.none_yet"), { class: "muted empty" }));
  renderMemberZone(all);
  const wanted = Number(new URLSearchParams(location.search).get("p"));
  const linked = !deepLinked && all.find((p) => p.id === wanted);
  deepLinked = true;
  if (linked) openSheet(linked);
}

function renderMemberZone(products) {
  const zone = products.filter((p) => p.members_only || p.skus.some(hasMemberPrice));
  $("member-products").replaceChildren(...zone.map(card));
  const standing = $("member-standing");
  $("become-member").hidden = !state.me || Boolean(state.member?.active);
  if ($("become-member").hidden) $("member-fee").hidden = true;
  if (!state.me) standing.textContent = t("shop.member.anonymous");
  else if (state.member?.active) {
    const points = state.member.points_balance;
    standing.textContent = state.member.tier ? t("shop.member.tier_points", { tier: state.member.tier, count: points })
      : t("shop.member.points", { count: points });
  } else standing.textContent = t("shop.member.not_member");
  if (!zone.length) $("member-products").append(el("p", t("shop.member.empty"), { class: "muted empty" }));
}

function memberFrom(joined) {
  return { active: joined.active, tier: joined.tier?.name ?? null, points_balance: joined.points_balance };
}

/** After a top-up settles (the wallet-changed event; a membership fee is paid by one, also after an
 * Alipay return): the membership as /me now has it (GET /membership would 404 for non-members). */
async function refreshMember() {
  if (!state.me || state.member?.active) return;
  const { member } = await api("/me");
  if (member?.active) {
    state.member = member;
    $("member-fee").hidden = true;
    await renderProducts();
  }
}

/** Pay the fee: from the wallet at once, by card here, by WeChat Pay / Alipay in apppay.js's box. */
async function payMembership(method, fee) {
  const joined = await api("/membership", { method: "POST", body: { payment_method: method },
    headers: { "Idempotency-Key": newKey() } });
  const pending = joined.pending_payment;
  if (pending && !joined.active) {
    await payTopUp(pending, t("shop.member.pay", { fee }));
    return refreshMember(); // a card is done here; WeChat Pay / Alipay come back through wallet-changed
  }
  state.member = memberFrom(joined);
  return renderProducts();
}

/** A paid membership: the fee and the methods the API takes for it (the wallet and client-config top_up_methods). */
function offerFee(details) {
  const fee = money(details.fee_cents, state.config.currency);
  const select = el("select", "", { "aria-label": t("shop.member.pay_with") });
  select.append(...["wallet", ...topUpMethods()].map((m) => new Option(t(PAY_LABELS[m]), m)));
  const button = el("button", t("shop.member.pay", { fee }), { type: "button", onclick: async () => {
    $("member-error").textContent = "";
    button.disabled = true;
    try {
      await payMembership(select.value, fee);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      $("member-error").textContent = error.message;
    } finally {
      button.disabled = false;
    }
  } });
  $("member-fee").replaceChildren(el("p", t("shop.member.fee", { fee, count: details.days })), select, button);
  $("member-fee").hidden = false;
}

async function becomeMember() {
  $("member-error").textContent = "";
  $("become-member").disabled = true;
  try {
    const joined = await api("/membership", { method: "POST" });
    state.member = memberFrom(joined);
    await renderProducts();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.code === "membership_fee_required") offerFee(error.details);
    else $("member-error").textContent = error.message;
  } finally {
    $("become-member").disabled = false;
  }
}

export function initCatalogue() {
  $("filter-form").addEventListener("submit", (event) => {
    event.preventDefault();
    renderProducts().catch(report);
  });
  $("become-member").addEventListener("click", () => becomeMember().catch(report));
  on("wallet-changed", () => refreshMember().catch(report));
}
