// Analytics tab: repurchase, repeat rates, retention cohorts, customer lifetime and referral value,
// leader performance, campaign sell-through and after-sale rates, as Chart.js charts (window.Chart,
// vendored UMD) and tables, each with its CSV.
import { $, ApiError, describeError, el, label, money, month, percent, storeMonth, storeToday, t, wholeMoney } from "../common.js";
import { api } from "./context.js";
import { csvButton, dataTable, figure, query } from "./ui.js";

const ACCENT = "#d9480f";
const BLUE = "#1c7ed6";
const GREEN = "#2b8a3e";
const CHARTED_CAMPAIGNS = 15; // the latest; the table below lists them all
const pct = (share) => `${Math.round(share * 100)}%`;
// Every table of the tab is empty for the same reason (no paid orders in the period).
const noData = () => t("admin.empty.analytics");

/** One chart per canvas: redrawing replaces it. No animation, so what is drawn is final at once. */
function draw(canvasId, { type, labels, datasets, options = {} }) {
  const canvas = $(canvasId);
  window.Chart.getChart(canvas)?.destroy();
  return new window.Chart(canvas, {
    type,
    data: { labels, datasets },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      plugins: { legend: { position: "bottom" } }, ...options,
    },
  });
}

// Axes name their direction: Chart.js would guess it from the id's first letter ("rate" → radial).
const shareAxis = (title, max = 1) => ({
  axis: "y", position: "left", beginAtZero: true, max, title: { display: true, text: title }, ticks: { callback: (v) => pct(v) },
});
const countAxis = (title, position = "left") => ({
  axis: "y", beginAtZero: true, position, title: { display: true, text: title }, ticks: { precision: 0 },
  grid: { drawOnChartArea: position === "left" },
});
const shareTooltip = { callbacks: { label: (c) => `${c.dataset.label}: ${typeof c.raw === "number" && c.dataset.share ? percent(c.raw) : c.formattedValue}` } };

function part(id) {
  const box = $(id);
  const get = (name) => box.querySelector(`[data-${name}]`);
  return { box, figures: get("figures"), table: get("table"), actions: get("actions"), error: get("error") };
}

function params() {
  return { months: $("analytics-months").value, month: $("analytics-month").value || storeMonth() };
}

function repurchase(rows) {
  const rate = t("leader.performance.repurchase");
  const buyers = t("admin.campaigns.buyers");
  draw("chart-repurchase", {
    type: "bar",
    labels: rows.map((r) => month(r.month)),
    datasets: [
      { type: "line", label: rate, data: rows.map((r) => r.repurchase_rate), yAxisID: "rate", order: 0,
        borderColor: ACCENT, backgroundColor: ACCENT, share: true },
      { type: "bar", label: buyers, data: rows.map((r) => r.buyers), yAxisID: "buyers", backgroundColor: "#a5d8ff",
        order: 1 },
    ],
    options: { scales: { rate: shareAxis(rate), buyers: countAxis(buyers, "right") },
               plugins: { legend: { position: "bottom" }, tooltip: shareTooltip } },
  });
  return dataTable([
    [t("leader.performance.month"), (r) => month(r.month)],
    [buyers, (r) => String(r.buyers), "num"],
    [t("admin.analytics.returning"), (r) => String(r.returning), "num"],
    [rate, (r) => percent(r.repurchase_rate), "num"],
  ], rows, t("admin.analytics.repurchase.title"), { empty: noData() });
}

function repeatRates(rows, { figures }) {
  const days = (r) => t("admin.analytics.days", { count: r.days });
  figures.replaceChildren(...rows.map((r) => figure(t("admin.analytics.repeat_within", { count: r.days }), percent(r.repeat_rate))));
  draw("chart-repeat", {
    type: "bar",
    labels: rows.map(days),
    datasets: [{ label: t("admin.analytics.bought_again_share"), data: rows.map((r) => r.repeat_rate), backgroundColor: GREEN,
      share: true }],
    options: { scales: { y: shareAxis(t("admin.analytics.repeat_rate")) },
      plugins: { legend: { display: false }, tooltip: shareTooltip } },
  });
  return dataTable([
    [t("admin.campaigns.window"), days],
    [t("admin.analytics.customers"), (r) => String(r.customers), "num"],
    [t("admin.analytics.bought_again"), (r) => String(r.repeated), "num"],
    [t("admin.analytics.repeat_rate"), (r) => percent(r.repeat_rate), "num"],
  ], rows, t("admin.analytics.repeat.title"), { empty: noData() });
}

/** Retention as a table whose cells are tinted by their value (darker = more customers kept). */
function cohorts(rows) {
  const span = Math.max(0, ...rows.map((r) => r.retention.length));
  const columns = [[t("admin.analytics.cohort"), (r) => month(r.cohort)],
    [t("admin.analytics.customers"), (r) => String(r.customers), "num"]];
  for (let i = 0; i < span; i += 1) {
    columns.push([i === 0 ? t("admin.analytics.month_0") : `+${i}`, (r) => {
      if (i >= r.retention.length || r.retention[i] === null) return "";
      const share = r.retention[i];
      const cell = el("span", pct(share), {
        class: "heat", title: t("admin.analytics.active_of", { active: r.active[i], count: r.customers }),
      });
      // Through the CSSOM: a style="" attribute is inline style, which the page's CSP refuses.
      cell.style.setProperty("--heat", (0.08 + 0.62 * share).toFixed(3));
      return cell;
    }, "num"]);
  }
  const table = dataTable(columns, rows, t("admin.analytics.cohorts.caption"), { stack: false, empty: noData() });
  table.classList.add("cohorts");
  return table;
}

/** "¥50–¥100": whole currency units keep the histogram's axis readable. */
function bucketLabel(b) {
  return b.to_cents === null ? `${wholeMoney(b.from_cents)}+` : `${wholeMoney(b.from_cents)}–${wholeMoney(b.to_cents)}`;
}

function histogram(canvasId, buckets, label, color) {
  draw(canvasId, {
    type: "bar",
    labels: buckets.map(bucketLabel),
    datasets: [{ label, data: buckets.map((b) => b.customers), backgroundColor: color, categoryPercentage: 1, barPercentage: 0.95 }],
    options: { scales: { y: countAxis(label) }, plugins: { legend: { display: false } } },
  });
}

function lifetimeValue(v, { figures }) {
  const customers = t("admin.analytics.customers");
  figures.replaceChildren(figure(customers, String(v.customers)), figure(t("admin.analytics.average"), money(v.average_cents)),
    figure(t("admin.analytics.median"), money(v.median_cents)), figure(t("admin.analytics.top10"), money(v.p90_cents)));
  histogram("chart-ltv", v.buckets, customers, BLUE);
  return bucketTable(v.buckets, t("admin.analytics.ltv.caption"), customers);
}

function bucketTable(buckets, caption, counted) {
  return dataTable([[t("admin.analytics.value"), bucketLabel], [counted, (b) => String(b.customers), "num"]], buckets, caption,
    { empty: noData() });
}

/** The value is per referrer (what the shoppers they brought spent); `customers` are those shoppers. */
function referralValue(v, { figures }) {
  const referrers = t("admin.analytics.referrers");
  const referred = t("admin.analytics.referred");
  figures.replaceChildren(figure(referrers, String(v.referrers)), figure(referred, String(v.customers)),
    figure(t("admin.analytics.average_per_referrer"), money(v.average_cents)), figure(t("admin.analytics.median"), money(v.median_cents)),
    figure(t("admin.analytics.top10"), money(v.p90_cents)));
  histogram("chart-referral", v.buckets, referrers, ACCENT);
  const wrap = el("div");
  wrap.append(dataTable([
    [t("admin.analytics.referrer"), (r) => r.name ?? `#${r.account_id}`],
    [referred, (r) => String(r.referred_customers), "num"],
    [t("admin.analytics.value_brought"), (r) => money(r.value_cents), "num"],
  ], v.top, t("admin.analytics.top_referrers"), { empty: noData() }), el("details"));
  const data = wrap.lastChild;
  data.append(el("summary", t("admin.analytics.data")), bucketTable(v.buckets, t("admin.analytics.referral.caption"), referrers));
  return wrap;
}

function leaders(rows) {
  return dataTable([
    [t("admin.payouts.leader"), (r) => r.leader_name],
    [t("admin.batches.orders"), (r) => String(r.orders), "num"],
    [t("admin.analytics.sales"), (r) => money(r.sales_cents), "num"],
    [t("admin.campaigns.buyers"), (r) => String(r.unique_buyers), "num"],
    [t("leader.performance.repurchase"), (r) => percent(r.repurchase_rate), "num"],
    [t("leader.performance.commission"), (r) => money(r.commission_cents), "num"],
    [t("leader.performance.pickup_rate"), (r) => percent(r.pickup_rate), "num"],
    [t("leader.performance.uncollected_rate"), (r) => percent(r.uncollected_rate), "num"],
  ], rows, t("admin.analytics.leaders.caption", { month: month(params().month) }), { empty: noData() });
}

function campaigns(rows) {
  const withStock = rows.filter((r) => r.sell_through_pct !== null && r.sell_through_pct !== undefined)
    .slice(0, CHARTED_CAMPAIGNS);
  // One bar per campaign: the chart grows with them rather than squeezing them.
  $("chart-campaigns").parentElement.style.height = `${Math.max(160, 70 + withStock.length * 32)}px`;
  draw("chart-campaigns", {
    type: "bar",
    labels: withStock.map((r) => r.name),
    datasets: [{ label: t("admin.campaigns.sell_through"), data: withStock.map((r) => r.sell_through_pct), backgroundColor: ACCENT,
                 maxBarThickness: 36 }],
    options: {
      indexAxis: "y",
      scales: { x: { beginAtZero: true, max: 100, title: { display: true, text: t("admin.analytics.sold_of_stock") },
                     ticks: { callback: (v) => `${v}%` } } },
      plugins: { legend: { display: false },
        tooltip: { callbacks: { label: (c) => t("admin.analytics.sold_pct", { percent: c.raw.toFixed(1) }) } } },
    },
  });
  return dataTable([
    [t("admin.analytics.campaign"), (r) => r.name],
    [t("admin.campaigns.kind"), (r) => label("campaignKind", r.kind)],
    [t("admin.orders.status"), (r) => label("phase", r.status)],
    [t("admin.campaigns.stock"), (r) => (r.stock_total ?? "–").toString(), "num"],
    [t("admin.campaigns.sold"), (r) => String(r.sold), "num"],
    [t("admin.campaigns.sell_through"), (r) => (r.sell_through_pct === null ? "–" : `${r.sell_through_pct.toFixed(1)}%`), "num"],
    [t("admin.campaigns.revenue"), (r) => money(r.revenue_cents), "num"],
    [t("admin.campaigns.buyers"), (r) => String(r.unique_buyers), "num"],
  ], rows, t("admin.analytics.campaigns.title"), { empty: noData() });
}

/** Margin by SKU for the month: the month's totals as figures, then the SKUs, best margin first. */
function margin(rows, { figures }) {
  const sum = (key) => rows.reduce((n, r) => n + r[key], 0);
  const costed = rows.reduce((n, r) => n + (r.margin_pct === null ? 0 : r.margin_cents + r.cost_cents), 0);
  figures.replaceChildren(
    figure(t("admin.campaigns.revenue"), money(sum("revenue_cents"))),
    figure(t("admin.analytics.margin.margin"), money(sum("margin_cents"))),
    figure(t("admin.analytics.margin.rate"), costed ? percent(sum("margin_cents") / costed) : "–"),
    figure(t("admin.analytics.margin.uncosted"), String(sum("uncosted_units"))));
  return dataTable([
    [t("admin.purchasing.sku"), (r) => r.name ?? "–"],
    [t("admin.purchasing.units"), (r) => String(r.units), "num"],
    [t("admin.campaigns.revenue"), (r) => money(r.revenue_cents), "num"],
    [t("admin.analytics.margin.cost"), (r) => money(r.cost_cents), "num"],
    [t("admin.analytics.margin.margin"), (r) => money(r.margin_cents), "num"],
    [t("admin.analytics.margin.rate"), (r) => (r.margin_pct === null ? "–" : `${r.margin_pct.toFixed(1)}%`), "num"],
  ], rows, t("admin.analytics.margin.caption", { month: month(params().month) }), { empty: t("admin.empty.margin") });
}

/** After-sale requests per key, by outcome (stacked), the most first; the table adds rate and money. */
function afterSales(rows) {
  const name = (r) => ($("an-aftersales-by").value === "reason" ? label("aftersaleReason", r.key) : r.name ?? r.key ?? "–");
  const charted = rows.slice(0, CHARTED_CAMPAIGNS);
  $("chart-aftersales").parentElement.style.height = `${Math.max(160, 90 + charted.length * 32)}px`;
  const open = (r) => r.requests - r.refunded - r.replaced - r.rejected;
  const outcomes = [["refunded", GREEN], ["replaced", BLUE], ["rejected", "#868e96"]];
  draw("chart-aftersales", {
    type: "bar",
    labels: charted.map(name),
    datasets: [
      ...outcomes.map(([status, color]) => ({ label: label("aftersale", status), data: charted.map((r) => r[status]),
        backgroundColor: color, maxBarThickness: 36 })),
      { label: t("admin.analytics.aftersales.open"), data: charted.map(open), backgroundColor: "#ffd8a8", maxBarThickness: 36 },
    ],
    options: { indexAxis: "y", scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 },
      title: { display: true, text: t("admin.analytics.aftersales.requests") } }, y: { stacked: true } } },
  });
  return dataTable([
    [t("admin.analytics.aftersales.key"), name],
    [t("admin.analytics.aftersales.requests"), (r) => String(r.requests), "num"],
    [t("admin.analytics.aftersales.lines"), (r) => (r.lines_sold === null ? "–" : String(r.lines_sold)), "num"],
    [t("admin.analytics.aftersales.rate"), (r) => (r.rate_pct === null ? "–" : `${r.rate_pct.toFixed(2)}%`), "num"],
    [label("aftersale", "refunded"), (r) => String(r.refunded), "num"],
    [label("aftersale", "replaced"), (r) => String(r.replaced), "num"],
    [label("aftersale", "rejected"), (r) => String(r.rejected), "num"],
    [t("admin.analytics.aftersales.money"), (r) => money(r.refunded_cents), "num"],
  ], rows, t("admin.analytics.aftersales.title"), { empty: t("admin.empty.aftersale_chart") });
}

/** Each block: its box, API path (with the query it takes), CSV name, and how to show the answer. */
// `what` names the block in the CSV button's label (its heading's key).
const BLOCKS = [
  { id: "an-repurchase", path: "/analytics/repurchase", query: (p) => ({ months: p.months }),
    what: "admin.analytics.repurchase.title", show: repurchase },
  { id: "an-repeat", path: "/analytics/repeat-rates", query: () => ({}), what: "admin.analytics.repeat.title", show: repeatRates },
  { id: "an-cohorts", path: "/analytics/cohorts", query: (p) => ({ months: p.months }), what: "admin.analytics.cohorts.title",
    show: cohorts },
  { id: "an-ltv", path: "/analytics/lifetime-value", query: () => ({}), what: "admin.analytics.ltv.title", show: lifetimeValue },
  { id: "an-referral", path: "/analytics/referral-value", query: () => ({}), what: "admin.analytics.referral.title",
    show: referralValue,
    extraCsv: () => csvButton(() => "/analytics/referrers.csv", () => `referrers-${storeToday()}.csv`, null,
      t("admin.analytics.all_referrers")) },
  { id: "an-leaders", path: "/analytics/leaders", query: (p) => ({ month: p.month }), what: "admin.analytics.leaders.title",
    show: leaders },
  { id: "an-margin", path: "/analytics/margin", query: (p) => ({ month: p.month, by: "sku" }),
    what: "admin.analytics.margin.title", show: margin },
  { id: "an-campaigns", path: "/analytics/campaigns", query: () => ({}), what: "admin.analytics.campaigns.title", show: campaigns },
  { id: "an-aftersales", path: "/analytics/after-sales", query: () => ({ by: $("an-aftersales-by").value }),
    what: "admin.analytics.aftersales.title", show: afterSales, csvName: () => `after-sales-${$("an-aftersales-by").value}` },
];

async function load(block) {
  const parts = part(block.id);
  parts.error.textContent = "";
  const q = () => query(block.query(params()));
  const name = block.csvName ? block.csvName() : block.path.split("/").pop();
  parts.actions.replaceChildren(
    csvButton(() => `${block.path}.csv${q()}`, () => `${name}-${block.query(params()).month ?? storeToday()}.csv`, t(block.what)),
    ...(block.extraCsv ? [block.extraCsv()] : []));
  try {
    const data = await api(`${block.path}${q()}`);
    parts.table.replaceChildren(block.show(data, parts));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    parts.error.textContent = t("admin.analytics.failed", { message: describeError(error) });
  }
}

export function init() {
  $("analytics-month").value = storeMonth();
  $("an-aftersales-by").addEventListener("change", () => load(BLOCKS.find((b) => b.id === "an-aftersales")));
  $("analytics-form").addEventListener("submit", (event) => {
    event.preventDefault();
    show().catch((error) => console.error(error));
  });
}

export async function show() {
  const box = $("analytics");
  box.setAttribute("aria-busy", "true");
  try {
    await Promise.all(BLOCKS.map(load));
  } finally {
    box.setAttribute("aria-busy", "false");
  }
}
