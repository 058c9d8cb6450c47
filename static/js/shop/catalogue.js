// The catalogue of the group (category filter and search) and the member zone: products only
// members may buy, and member prices. Each SKU has an "Add" button that puts it in the cart.
import { $, el, money, newKey, t } from "../common.js";
import { addToCart } from "./cart.js";
import { api, code, report, state } from "./context.js";

function skuLine(product, sku) {
  const line = el("p", `${sku.name} `);
  line.append(el("span", money(sku.price_cents, sku.currency), { class: "price" }));
  if (sku.compare_at_price_cents) line.append(el("span", money(sku.compare_at_price_cents, sku.currency), { class: "was" }));
  if (sku.member_price_cents !== null && sku.member_price_cents !== undefined) {
    line.append(el("span", ` · ${t("shop.products.member_price", { price: money(sku.member_price_cents, sku.currency) })}`, { class: "badge" }));
  }
  const soldOut = sku.stock_available <= 0;
  line.append(el("span", ` · ${soldOut ? t("shop.products.sold_out") : t("shop.products.left", { count: sku.stock_available })}`,
    { class: "muted" }));
  const locked = product.members_only && !state.member?.active;
  const canBuy = state.inGroup && !soldOut && !locked;
  line.append(" ", el("button", t("shop.products.add"), {
    type: "button", class: "secondary", disabled: !canBuy,
    "aria-label": t("shop.products.add_named", { name: `${product.name} ${sku.name}` }),
    title: locked ? t("shop.products.members_only") : state.inGroup ? null : t("shop.products.join_to_order"),
    onclick: () => addToCart({ sku_id: sku.id, name: `${product.name} ${sku.name}` }),
  }));
  return line;
}

function card(product) {
  const article = el("article", "", { class: "card" });
  const title = el("h3", product.name);
  if (product.members_only) {
    title.append(" ", el("span", product.min_tier ? t("shop.products.min_tier", { tier: product.min_tier })
      : t("shop.campaigns.members"), { class: "badge" }));
  }
  article.append(title);
  if (product.description) article.append(el("p", product.description, { class: "muted" }));
  for (const sku of product.skus) {
    state.skus.set(sku.id, { product, sku });
    article.append(skuLine(product, sku));
  }
  return article;
}

async function fetchProducts(params) {
  params.set("page_size", "50");
  return api(`/groups/${encodeURIComponent(code)}/products?${params}`);
}

/** The products list, filtered by the form; member-zone products are listed in their own section. */
export async function renderProducts() {
  const params = new URLSearchParams();
  for (const [key, value] of new FormData($("filter-form"))) if (value) params.set(key, value);
  // The member zone lists the whole catalogue; without a filter one request serves both lists.
  const filtered = await fetchProducts(new URLSearchParams(params));
  const all = params.size ? await fetchProducts(new URLSearchParams()) : filtered;
  const list = $("products");
  const regular = filtered.filter((p) => !p.members_only);
  list.replaceChildren(...regular.map(card));
  if (!regular.length) list.append(el("p", t("shop.products.none"), { class: "muted" }));
  renderMemberZone(all);
}

function renderMemberZone(products) {
  const zone = products.filter((p) => p.members_only || p.skus.some((s) => s.member_price_cents !== null));
  $("member-products").replaceChildren(...zone.map(card));
  const standing = $("member-standing");
  $("become-member").hidden = !state.me || Boolean(state.member?.active);
  if (!state.me) standing.textContent = t("shop.member.anonymous");
  else if (state.member?.active) {
    const points = state.member.points_balance;
    standing.textContent = state.member.tier ? t("shop.member.tier_points", { tier: state.member.tier, count: points })
      : t("shop.member.points", { count: points });
  } else standing.textContent = t("shop.member.not_member");
  if (!zone.length) $("member-products").append(el("p", t("shop.member.empty"), { class: "muted" }));
}

export function initCatalogue() {
  $("filter-form").addEventListener("submit", (event) => {
    event.preventDefault();
    renderProducts().catch(report);
  });
  $("become-member").addEventListener("click", async () => {
    $("member-error").textContent = "";
    try {
      const joined = await api("/membership", { method: "POST" }).catch((error) => {
        // A paid membership: pay the fee from the wallet, once the shopper agrees to the amount.
        if (error.code !== "membership_fee_required") throw error;
        const fee = money(error.details.fee_cents, state.config.currency);
        if (!confirm(t("shop.member.fee_confirm", { fee, count: error.details.days }))) return null;
        return api("/membership", { method: "POST", body: { payment_method: "wallet" }, headers: { "Idempotency-Key": newKey() } });
      });
      if (joined) state.member = { active: joined.active, tier: joined.tier?.name ?? null, points_balance: joined.points_balance };
      await renderProducts();
    } catch (error) {
      $("member-error").textContent = error.message;
    }
  });
}
