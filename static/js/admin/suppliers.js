// The suppliers part of the purchasing tab: who supplies which SKU at what cost (a new cost goes
// into the SKU's cost history), lead time and minimums, and the safety stock per SKU.
import { $, el, money, onSubmit, t, toMinor } from "../common.js";
import { api, can } from "./context.js";
import { dataTable, notify, query } from "./ui.js";

let names = null; // sku_id → "product (variant)", read once per visit of the tab

/** The active catalogue's SKUs by id, for pickers and for naming purchase-order lines. */
export async function skuNames() {
  if (!names) {
    const products = await api(`/products${query({ page_size: 100 })}`);
    names = new Map(products.flatMap((p) => p.skus.map((s) => [s.id, `${p.name} (${s.name}) · ${s.code}`])));
  }
  return names;
}

function fillPickers(supplierList, skus) {
  for (const select of document.querySelectorAll("[data-sku-picker]")) {
    select.replaceChildren(...[...skus].map(([id, name]) => new Option(name, id)));
  }
  $("offer-supplier").replaceChildren(...supplierList.map((s) => new Option(s.name, s.id)));
}

function render(supplierList, skus) {
  return dataTable([
    [t("admin.purchasing.supplier"), (s) => s.name],
    [t("admin.purchasing.contact"), (s) => [s.contact_name, s.phone, s.email].filter(Boolean).join(" · ")],
    [t("admin.purchasing.min_order"), (s) => money(s.min_order_cents), "num"],
    [t("admin.purchasing.offers"), (s) => {
      const list = el("ul", "", { class: "plain" });
      for (const o of s.offers) {
        list.append(el("li", t("admin.purchasing.offer_line", { sku: skus.get(o.sku_id) ?? o.sku_id, cost: money(o.cost_cents),
          days: o.lead_days, units: o.min_units }) + (o.preferred ? ` · ${t("admin.purchasing.preferred")}` : "")));
      }
      return list;
    }],
  ], supplierList, t("admin.purchasing.suppliers"), { empty: t("admin.empty.suppliers") });
}

export async function show() {
  names = null;
  const [supplierList, skus] = await Promise.all([api(`/suppliers${query({ page_size: 100 })}`), skuNames()]);
  $("supplier-list").replaceChildren(render(supplierList, skus));
  if (can("purchasing.manage")) fillPickers(supplierList, skus);
}

export function init() {
  onSubmit($("supplier-form"), async (body, form) => {
    const created = await api("/suppliers", { method: "POST", body: {
      name: body.name, contact_name: body.contact_name || null, phone: body.phone || null,
      min_order_cents: toMinor(body.min_order || "0") ?? 0 } });
    form.reset();
    notify(t("admin.purchasing.supplier_added", { name: created.name }));
    await show();
  });
  onSubmit($("offer-form"), async (body) => {
    await api(`/suppliers/${body.supplier_id}/skus/${body.sku_id}`, { method: "PUT", body: {
      cost_cents: toMinor(body.cost), lead_days: Number(body.lead_days || 0), min_units: Number(body.min_units || 0),
      preferred: body.preferred === "on" } });
    notify(t("admin.purchasing.offer_saved"));
    await show();
  });
  onSubmit($("safety-form"), async (body) => {
    await api(`/safety-stock/${body.sku_id}`, { method: "PUT", body: { units: Number(body.units) } });
    notify(t("admin.purchasing.safety_saved"));
  });
}
