// Products tab: find products by a name in any language, and enter their names and descriptions
// (and their SKUs' and the categories' names) in the store's other languages. Prices, stock and the
// rest of the catalogue are edited through the API (docs/api.md); this tab is for translations.
import { $, ApiError, describeError, el, label, languageName, t } from "../common.js";
import { api, can } from "./context.js";
import { actionButton, actions, dataTable, notify, pagedList, query, reportFailure } from "./ui.js";
import {
  languageFieldsets, nameAndDescription, sameTranslations, targetLanguages, translationInput, translationsFrom,
} from "./translations.js";

// The longest text each field takes (the original column's length: app/content.py TRANSLATABLE).
const PRODUCT = { name: 120, description: 5000 };
const SKU = { name: 80 };
const CATEGORY = { name: 60 };

const translatedNames = (row) => targetLanguages().map((tag) => row.translations?.[tag]?.name).filter(Boolean)
  .join(t("common.list_separator")) || "–";

function render(products) {
  return dataTable([
    [t("admin.products.name"), (p) => p.name],
    [t("admin.products.translated"), translatedNames],
    [t("admin.products.skus"), (p) => p.skus.map((s) => s.name).join(t("common.list_separator"))],
    [t("admin.orders.status"), (p) => el("span", label("product", p.status), { class: "badge" })],
    ["", (p) => (can("catalog.edit") ? actions(actionButton(t("admin.content.translate"), () => open(p.id),
      { label: t("admin.content.translate_named", { name: p.name }), secondary: true })) : "")],
  ], products, t("admin.products.caption"), { empty: t("admin.empty.products") });
}

const list = pagedList($("products-list"), {
  what: () => t("admin.what.products"),
  fetchPage: (page, size) => api(`/products${query({ q: $("products-filter").q.value.trim(), page, page_size: size })}`),
  render,
});

/** A form's fields as name → value. */
const valuesOf = (form) => Object.fromEntries(new FormData(form));

/** Send what changed: the product's translations, then each SKU's; a refusal stays in the form. */
async function save(product, form) {
  const values = valuesOf(form);
  const wanted = translationsFrom(values, product.translations, "product", Object.keys(PRODUCT));
  if (!sameTranslations(wanted, product.translations)) {
    await api(`/products/${product.id}`, { method: "PATCH", body: { translations: wanted } });
  }
  for (const sku of product.skus) {
    const skuWanted = translationsFrom(values, sku.translations, `sku-${sku.id}`, Object.keys(SKU));
    if (!sameTranslations(skuWanted, sku.translations)) {
      await api(`/skus/${sku.id}`, { method: "PATCH", body: { translations: skuWanted } });
    }
  }
}

/** The translation form of one product: its name and description and its SKUs' names, per language. */
async function open(productId) {
  const product = await api(`/products/${productId}`);
  // Each SKU read now too: its ETag goes back as If-Match when it is saved (412 if changed meanwhile).
  product.skus = await Promise.all(product.skus.map((sku) => api(`/skus/${sku.id}`)));
  const box = $("product-detail");
  const heading = el("h3", t("admin.content.title", { name: product.name }), { tabindex: "-1" });
  const form = el("form", "", { id: "product-translations" });
  const error = el("p", "", { class: "error", role: "alert" });
  form.append(...languageFieldsets((tag) => [
    ...nameAndDescription(product, "product", tag, PRODUCT),
    ...product.skus.map((sku) => translationInput(sku, `sku-${sku.id}`, tag, "name", SKU,
      t("admin.content.sku_in", { code: sku.code, name: sku.name, language: languageName(tag) }))),
  ]), el("button", t("admin.content.save"), { type: "submit" }), error);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitting(form, error, async () => {
      await save(product, form);
      box.hidden = true;
      notify(t("admin.content.saved", { name: product.name }));
      await list.reload();
    });
  });
  box.replaceChildren(heading, el("p", t("admin.content.help"), { class: "muted" }), form);
  box.hidden = false;
  heading.focus();
}

/** Run a form's action once at a time, its API refusal shown in the form. */
async function submitting(form, error, action) {
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  error.textContent = "";
  try {
    await action();
  } catch (failure) {
    if (!(failure instanceof ApiError)) throw failure;
    error.textContent = describeError(failure, form);
  } finally {
    button.disabled = false;
  }
}

/** The categories' names in the other languages, all in one form. */
async function showCategories() {
  const categories = await api("/categories");
  const form = $("categories-form");
  const error = el("p", "", { class: "error", role: "alert" });
  if (!categories.length) {
    form.replaceChildren(el("p", t("admin.empty.categories"), { class: "muted empty" }));
    return;
  }
  form.replaceChildren(el("p", t("admin.content.help"), { class: "muted" }),
    ...languageFieldsets((tag) => categories.map((c) => translationInput(c, `category-${c.id}`, tag, "name", CATEGORY,
      t("admin.content.category_in", { name: c.name, language: languageName(tag) })))),
    el("button", t("admin.categories.save"), { type: "submit" }), error);
  form.onsubmit = (event) => {
    event.preventDefault();
    submitting(form, error, async () => {
      const values = valuesOf(form);
      for (const c of categories) {
        const wanted = translationsFrom(values, c.translations, `category-${c.id}`, Object.keys(CATEGORY));
        if (!sameTranslations(wanted, c.translations)) {
          await api(`/categories/${c.id}`, { method: "PATCH", body: { translations: wanted } });
        }
      }
      notify(t("admin.categories.saved"));
      await showCategories();
    });
  };
}

export function init() {
  $("products-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    $("product-detail").hidden = true;
    list.reload().catch(reportFailure);
  });
}

export function show() {
  return Promise.all([list.reload(), can("catalog.edit") ? showCategories() : null]);
}
