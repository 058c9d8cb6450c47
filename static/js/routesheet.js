// The printable sorting sheet (分拣单: per stop each SKU's quantity, then a label per bag with the
// order number, masked name, pickup point and a QR of the pickup code) and the loading manifest (per
// stop its bags and SKU counts, then the truck's totals): /admin/route-sheet?run=<id>&kind=sorting|manifest.
// Same staff token as the dashboard; the print CSS (routes.css) drops the buttons and breaks pages per stop.
import { $, ApiError, date, describeError, download, el, startPage, t } from "./common.js";
import { api } from "./admin/context.js";
import { dataTable } from "./admin/ui.js";

const params = new URLSearchParams(location.search);
const runId = Number(params.get("run"));
const kind = params.get("kind") === "manifest" ? "manifest" : "sorting-sheet";

function skuTable(rows, caption) {
  return dataTable([
    [t("admin.sheet.sku"), (r) => r.sku_code],
    [t("admin.sheet.product"), (r) => `${r.product_name} (${r.sku_name})`],
    [t("admin.sheet.quantity"), (r) => String(r.quantity), "num"],
  ], rows, caption, { stack: false });
}

function qrImage(text, orderNumber) {
  const qr = window.qrcode(0, "M");
  qr.addData(text);
  qr.make();
  return el("img", "", { src: qr.createDataURL(3, 4), alt: t("admin.sheet.qr_alt", { number: orderNumber }), class: "qr",
    width: 96, height: 96 });
}

function label(bag, stop) {
  const box = el("article", "", { class: "bag-label", "data-order": bag.order_number });
  const text = el("div");
  text.append(el("strong", bag.order_number), el("p", bag.shopper_name ?? ""),
    el("p", t("admin.sheet.label_stop", { position: stop.position, point: stop.pickup_point.name })),
    el("p", t("admin.sheet.label_units", { units: bag.units }), { class: "muted" }));
  if (bag.replacement_for) text.append(el("p", t("admin.sheet.replacement", { id: bag.replacement_for })));
  box.append(text, qrImage(bag.qr_text, bag.order_number));
  return box;
}

function stopSection(stop) {
  const section = el("section", "", { class: "sheet-stop", "data-stop": stop.position });
  section.append(el("h2", t("admin.sheet.stop", { position: stop.position, point: stop.pickup_point.name })),
    el("p", stop.pickup_point.address, { class: "muted" }));
  if (stop.closed) section.append(el("p", t("admin.sheet.closed"), { class: "error" }));
  section.append(el("p", t("admin.sheet.stop_totals", { bags: stop.bag_count, units: stop.units })),
    skuTable(stop.skus, t("admin.sheet.per_sku")));
  if (stop.bags) {
    const labels = el("div", "", { class: "bag-labels" });
    labels.append(...stop.bags.map((bag) => label(bag, stop)));
    section.append(labels);
  }
  return section;
}

async function main() {
  await startPage();
  try {
    const data = await api(`/route-runs/${runId}/${kind === "manifest" ? "manifest" : "sorting-sheet"}`);
    const { run, totals } = data;
    const heading = t(kind === "manifest" ? "admin.sheet.manifest_title" : "admin.sheet.sorting_title",
      { route: run.route_name, day: date(run.delivery_date) });
    document.title = heading;
    $("sheet-title").textContent = heading;
    $("sheet-facts").textContent = t("admin.sheet.facts", { time: run.departure_time, driver: run.driver_name ?? "–",
      stops: totals.stops, bags: totals.bags, units: totals.units });
    $("sheet").replaceChildren(...data.stops.map(stopSection), skuTable(data.loaded, t("admin.sheet.loaded")));
    $("csv").addEventListener("click", () => download(api, `/route-runs/${runId}/${kind}.csv`,
      `${kind}-${run.delivery_date}-route-${run.route_id}.csv`).catch(report));
  } catch (error) {
    report(error);
  }
  $("print").addEventListener("click", () => window.print());
}

function report(error) {
  if (!(error instanceof ApiError)) throw error;
  $("notice").textContent = error.status === 401 ? t("admin.sheet.login_first") : describeError(error);
  $("notice").className = "error";
}

main().catch((error) => console.error(error));
