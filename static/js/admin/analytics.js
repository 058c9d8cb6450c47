// Analytics tab: repurchase, repeat rates, retention cohorts, customer lifetime and referral value,
// leader performance and campaign sell-through, as Chart.js charts (window.Chart, vendored UMD)
// and tables, each with its CSV.
import { $, ApiError, describeError, el, percent } from "../common.js";
import { api, currencyDigits, fmtMoney, state, storeLocalInput, storeMonth } from "./context.js";
import { csvButton, dataTable, figure, query } from "./ui.js";

const ACCENT = "#d9480f";
const BLUE = "#1c7ed6";
const GREEN = "#2b8a3e";
const CHARTED_CAMPAIGNS = 15; // the latest; the table below lists them all
const pct = (share) => `${Math.round(share * 100)}%`;

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
  draw("chart-repurchase", {
    type: "bar",
    labels: rows.map((r) => r.month),
    datasets: [
      { type: "line", label: "Repurchase rate", data: rows.map((r) => r.repurchase_rate), yAxisID: "rate", order: 0,
        borderColor: ACCENT, backgroundColor: ACCENT, share: true },
      { type: "bar", label: "Buyers", data: rows.map((r) => r.buyers), yAxisID: "buyers", backgroundColor: "#a5d8ff",
        order: 1 },
    ],
    options: { scales: { rate: shareAxis("Repurchase rate"), buyers: countAxis("Buyers", "right") },
               plugins: { legend: { position: "bottom" }, tooltip: shareTooltip } },
  });
  return dataTable([
    ["Month", (r) => r.month],
    ["Buyers", (r) => String(r.buyers), "num"],
    ["Returning", (r) => String(r.returning), "num"],
    ["Repurchase rate", (r) => percent(r.repurchase_rate), "num"],
  ], rows, "Repurchase by month");
}

function repeatRates(rows, { figures }) {
  figures.replaceChildren(...rows.map((r) => figure(`Repeat within ${r.days} days`, percent(r.repeat_rate))));
  draw("chart-repeat", {
    type: "bar",
    labels: rows.map((r) => `${r.days} days`),
    datasets: [{ label: "Customers who bought again", data: rows.map((r) => r.repeat_rate), backgroundColor: GREEN, share: true }],
    options: { scales: { y: shareAxis("Repeat rate") }, plugins: { legend: { display: false }, tooltip: shareTooltip } },
  });
  return dataTable([
    ["Window", (r) => `${r.days} days`],
    ["Customers", (r) => String(r.customers), "num"],
    ["Bought again", (r) => String(r.repeated), "num"],
    ["Repeat rate", (r) => percent(r.repeat_rate), "num"],
  ], rows, "Repeat purchase within 30, 60 and 90 days");
}

/** Retention as a table whose cells are tinted by their value (darker = more customers kept). */
function cohorts(rows) {
  const span = Math.max(0, ...rows.map((r) => r.retention.length));
  const columns = [["Cohort", (r) => r.cohort], ["Customers", (r) => String(r.customers), "num"]];
  for (let i = 0; i < span; i += 1) {
    columns.push([i === 0 ? "Month 0" : `+${i}`, (r) => {
      if (i >= r.retention.length || r.retention[i] === null) return "";
      const share = r.retention[i];
      return el("span", pct(share), {
        class: "heat", style: `--heat: ${(0.08 + 0.62 * share).toFixed(3)}`,
        title: `${r.active[i]} of ${r.customers} customers active`,
      });
    }, "num"]);
  }
  const table = dataTable(columns, rows, "Share of each cohort buying again, by months since their first order",
    { stack: false });
  table.classList.add("cohorts");
  return table;
}

/** "CN¥50–CN¥100": whole currency units keep the histogram's axis readable. */
function bucketLabel(b) {
  const whole = (cents) => new Intl.NumberFormat(undefined, { style: "currency", currency: state.currency,
    maximumFractionDigits: 0, minimumFractionDigits: 0 }).format(cents / 10 ** currencyDigits());
  return b.to_cents === null ? `${whole(b.from_cents)}+` : `${whole(b.from_cents)}–${whole(b.to_cents)}`;
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
  figures.replaceChildren(figure("Customers", String(v.customers)), figure("Average", fmtMoney(v.average_cents)),
    figure("Median", fmtMoney(v.median_cents)), figure("Top 10% from", fmtMoney(v.p90_cents)));
  histogram("chart-ltv", v.buckets, "Customers", BLUE);
  return bucketTable(v.buckets, "Customers by lifetime spend", "Customers");
}

function bucketTable(buckets, caption, counted) {
  return dataTable([["Value", bucketLabel], [counted, (b) => String(b.customers), "num"]], buckets, caption);
}

/** The value is per referrer (what the shoppers they brought spent); `customers` are those shoppers. */
function referralValue(v, { figures }) {
  figures.replaceChildren(figure("Referrers", String(v.referrers)), figure("Referred customers", String(v.customers)),
    figure("Average per referrer", fmtMoney(v.average_cents)), figure("Median", fmtMoney(v.median_cents)),
    figure("Top 10% from", fmtMoney(v.p90_cents)));
  histogram("chart-referral", v.buckets, "Referrers", ACCENT);
  const wrap = el("div");
  wrap.append(dataTable([
    ["Referrer", (t) => t.name ?? `#${t.account_id}`],
    ["Referred customers", (t) => String(t.referred_customers), "num"],
    ["Value brought", (t) => fmtMoney(t.value_cents), "num"],
  ], v.top, "Top referrers"), el("details"));
  const data = wrap.lastChild;
  data.append(el("summary", "Data"), bucketTable(v.buckets, "Referrers by the value they brought", "Referrers"));
  return wrap;
}

function leaders(rows) {
  return dataTable([
    ["Leader", (r) => r.leader_name],
    ["Orders", (r) => String(r.orders), "num"],
    ["Sales", (r) => fmtMoney(r.sales_cents), "num"],
    ["Buyers", (r) => String(r.unique_buyers), "num"],
    ["Repurchase", (r) => percent(r.repurchase_rate), "num"],
    ["Commission", (r) => fmtMoney(r.commission_cents), "num"],
    ["Picked up", (r) => percent(r.pickup_rate), "num"],
    ["Uncollected", (r) => percent(r.uncollected_rate), "num"],
  ], rows, `Leader performance, ${params().month}`);
}

function campaigns(rows) {
  const withStock = rows.filter((r) => r.sell_through_pct !== null && r.sell_through_pct !== undefined)
    .slice(0, CHARTED_CAMPAIGNS);
  // One bar per campaign: the chart grows with them rather than squeezing them.
  $("chart-campaigns").parentElement.style.height = `${Math.max(160, 70 + withStock.length * 32)}px`;
  draw("chart-campaigns", {
    type: "bar",
    labels: withStock.map((r) => r.name),
    datasets: [{ label: "Sell-through", data: withStock.map((r) => r.sell_through_pct), backgroundColor: ACCENT,
                 maxBarThickness: 36 }],
    options: {
      indexAxis: "y",
      scales: { x: { beginAtZero: true, max: 100, title: { display: true, text: "Sold of campaign stock" },
                     ticks: { callback: (v) => `${v}%` } } },
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => `${c.raw.toFixed(1)}% sold` } } },
    },
  });
  return dataTable([
    ["Campaign", (r) => r.name],
    ["Kind", (r) => r.kind.replaceAll("_", " ")],
    ["Status", (r) => r.status.replaceAll("_", " ")],
    ["Stock", (r) => (r.stock_total ?? "–").toString(), "num"],
    ["Sold", (r) => String(r.sold), "num"],
    ["Sell-through", (r) => (r.sell_through_pct === null ? "–" : `${r.sell_through_pct.toFixed(1)}%`), "num"],
    ["Revenue", (r) => fmtMoney(r.revenue_cents), "num"],
    ["Buyers", (r) => String(r.unique_buyers), "num"],
  ], rows, "Campaign sell-through");
}

/** Each block: its box, API path (with the query it takes), CSV name, and how to show the answer. */
const BLOCKS = [
  { id: "an-repurchase", path: "/analytics/repurchase", query: (p) => ({ months: p.months }), what: "repurchase by month", show: repurchase },
  { id: "an-repeat", path: "/analytics/repeat-rates", query: () => ({}), what: "repeat rates", show: repeatRates },
  { id: "an-cohorts", path: "/analytics/cohorts", query: (p) => ({ months: p.months }), what: "retention cohorts", show: cohorts },
  { id: "an-ltv", path: "/analytics/lifetime-value", query: () => ({}), what: "customer lifetime value", show: lifetimeValue },
  { id: "an-referral", path: "/analytics/referral-value", query: () => ({}), what: "referral value", show: referralValue,
    extraCsv: () => csvButton(() => "/analytics/referrers.csv", () => `referrers-${today()}.csv`, "referrers",
      "Download all referrers (CSV)") },
  { id: "an-leaders", path: "/analytics/leaders", query: (p) => ({ month: p.month }), what: "leader performance", show: leaders },
  { id: "an-campaigns", path: "/analytics/campaigns", query: () => ({}), what: "campaign sell-through", show: campaigns },
];

const today = () => storeLocalInput().slice(0, 10);

async function load(block) {
  const parts = part(block.id);
  parts.error.textContent = "";
  const q = () => query(block.query(params()));
  const name = block.path.split("/").pop();
  parts.actions.replaceChildren(
    csvButton(() => `${block.path}.csv${q()}`, () => `${name}-${block.query(params()).month ?? today()}.csv`, block.what),
    ...(block.extraCsv ? [block.extraCsv()] : []));
  try {
    const data = await api(`${block.path}${q()}`);
    parts.table.replaceChildren(block.show(data, parts));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    parts.error.textContent = `Could not load: ${describeError(error)}`;
  }
}

export function init() {
  $("analytics-month").value = storeMonth();
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
