// The group leader's pickup console: deliveries and arrival, handing orders over by pickup code,
// what is still waiting, earnings and payouts, and the month's numbers. Plain ES module, no build.
import { $, ApiError, client, describeError, el, money, onSubmit, percent, table, tabs, tokenStore } from "./common.js";

const token = tokenStore("storefront.leader-token");
const state = { currency: "CNY", batch: null, entriesPage: 1, payoutKey: null, performanceShown: false };

const BATCH = { open: "Taking orders", closed: "Being packed", dispatched: "On its way", arrived: "Arrived" };
const FULFILMENT = {
  pending: "Not yet paid", scheduled: "On its way", ready_for_pickup: "Ready for pickup",
  partially_picked_up: "Partly collected", picked_up: "Collected", uncollected: "Not collected in time",
  not_delivered: "Not delivered",
};
const PAYOUT = { requested: "Requested", approved: "Approved", exported: "Sent to the bank", sending: "Sending",
  paid: "Paid", rejected: "Rejected" };
const ENTRY = { accrue: "Earned", settle: "Became withdrawable", clawback: "Refund clawback", payout: "Payout" };
const BUCKET = { pending: "Pending", available: "Available", withdrawing: "Being paid out", paid_out: "Paid out" };
const STRIPE_RETURN = {
  done: "Welcome back from Stripe. Your payout account status is shown below.",
  expired: "The Stripe onboarding link expired. Press the button below for a fresh one.",
};

// --- plumbing ---------------------------------------------------------------------------------

/** A network failure as an ApiError with status 0, so forms show it instead of failing silently. */
function reachable(request) {
  return async (path, options) => {
    try {
      return await request(path, options);
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw new ApiError(0, "Could not reach the store; check the connection and try again");
    }
  };
}

const store = reachable(client("/api/v1/store", token)); // leaders log in (and out) as the shoppers they are
const leaderApi = reachable(client("/api/v1/leader", token));

/** Every leader API call: a lost session sends the leader back to the login form. */
async function api(path, options) {
  try {
    return await leaderApi(path, options);
  } catch (error) {
    if (error.status === 401) showLogin("Your session has expired; please log in again.");
    throw error;
  }
}

/** The API's message with the figures it sent along (amount due, minimum, lock time…). */
function explain(error) {
  const d = error.details || {};
  const facts = [];
  if (d.amount_due_cents !== undefined) facts.push(`amount due ${money(d.amount_due_cents, state.currency)}`);
  if (d.minimum_cents !== undefined) facts.push(`minimum ${money(d.minimum_cents, state.currency)}`);
  if (d.available_cents !== undefined) facts.push(`available ${money(d.available_cents, state.currency)}`);
  if (d.fee_cents !== undefined) facts.push(`fee ${money(d.fee_cents, state.currency)}`);
  if (d.locked_until) facts.push(`locked until ${when(d.locked_until)}`);
  if (d.fulfilment) facts.push(`the order is: ${FULFILMENT[d.fulfilment] || d.fulfilment}`);
  const text = describeError(error);
  return facts.length ? `${text} (${facts.join("; ")})` : text;
}

/** onSubmit, with the API's figures in the error shown under the form. */
function submit(form, handler) {
  onSubmit(form, async (body, f) => {
    try {
      await handler(body, f);
    } catch (error) {
      if (error instanceof ApiError) throw new ApiError(error.status, explain(error));
      throw error;
    }
  });
}

/** Run a loader, showing its failure in a box rather than as an uncaught error. */
async function guarded(box, load) {
  box.textContent = "";
  try {
    await load();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status !== 401) box.textContent = explain(error);
  }
}

function idempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // crypto.randomUUID needs a secure context; a phone on the shop's LAN over plain http has none.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function toCents(value) {
  const format = new Intl.NumberFormat(undefined, { style: "currency", currency: state.currency });
  return Math.round(Number(value) * 10 ** format.resolvedOptions().maximumFractionDigits);
}

const day = (iso) => new Date(`${iso}T00:00:00`).toLocaleDateString(undefined,
  { weekday: "short", month: "short", day: "numeric" });
const when = (iso) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "–");
const stamp = (iso) => (iso ? new Date(iso).toLocaleString(undefined,
  { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }) : "–");
const cash = (cents) => money(cents, state.currency);

/** table() from common.js, each cell labelled with its column so a phone can show rows as cards. */
function cards(columns, rows, caption) {
  const t = table(columns, rows, caption);
  t.classList.add("stack");
  const headers = columns.map(([header]) => header);
  for (const row of t.tBodies[0].rows) {
    if (row.cells.length === headers.length) [...row.cells].forEach((cell, i) => { cell.dataset.label = headers[i]; });
  }
  return t;
}

function lineText(line) {
  const parts = [];
  if (line.shorted_quantity) parts.push(`${line.shorted_quantity} short`);
  if (line.picked_up_quantity) parts.push(`${line.picked_up_quantity} collected`);
  const extra = parts.length ? ` (${parts.join(", ")})` : "";
  return `${line.product_name} · ${line.sku_name} × ${line.quantity}${extra}`;
}

function linesList(order) {
  const list = el("ul", "", { class: "lines" });
  for (const line of order.lines) list.append(el("li", lineText(line)));
  return list;
}

const ORDER_COLUMNS = [
  ["Order", (o) => o.number],
  ["Shopper", (o) => o.shopper_name],
  ["Lines", linesList],
  ["Status", (o) => [FULFILMENT[o.fulfilment] || o.fulfilment,
    o.amount_due_cents > 0 ? `collect ${money(o.amount_due_cents, state.currency)}` : ""].filter(Boolean).join(" · ")],
];

function showBanner(message) {
  $("banner").textContent = message;
  $("banner").hidden = !message;
}

// --- log in / out -----------------------------------------------------------------------------

function showLogin(message = "") {
  token.clear();
  // Nothing of the last leader's stays on screen for the next one.
  for (const id of ["batches", "batch-orders", "arrival", "waiting-ready", "waiting-partial", "waiting-overdue",
    "balance", "payouts", "entries", "performance-table", "pickup-result"]) $(id).replaceChildren();
  $("batch").hidden = $("pickup-result").hidden = true;
  state.performanceShown = false;
  $("console").hidden = $("logout").hidden = true;
  $("login").hidden = false;
  $("who").textContent = "Deliveries, pickups and earnings for your pickup point.";
  $("login-form").querySelector("[data-error]").textContent = message;
}

async function start(firstTab) {
  if (!token.get()) return showLogin();
  let me;
  try {
    me = await api("/me");
  } catch (error) {
    if (error.status === 403) {
      await store("/auth/logout", { method: "POST" }).catch(() => null);
      const reason = error.details?.reason ? ` (${error.details.reason})` : "";
      return showLogin(`${error.message}${reason}. This console is for approved group leaders: apply to lead ` +
        "from your group's page, or log in with your leader account.");
    }
    if (error.status !== 401) showBanner(error.message); // the store is unreachable: keep the session
    return undefined;
  }
  $("who").textContent = `Logged in as ${me.display_name}`;
  $("login").hidden = true;
  $("console").hidden = $("logout").hidden = false;
  await api("/commissions").then((b) => { state.currency = b.currency; }).catch(() => null);
  showTab(firstTab);
  return undefined;
}

// --- deliveries and arrival ---------------------------------------------------------------------

async function loadBatches() {
  await guarded($("batches-error"), async () => {
    const scope = $("all-batches").checked ? "all" : "upcoming";
    const batches = await api(`/batches?scope=${scope}&page_size=100`);
    const list = $("batches");
    list.replaceChildren();
    const none = scope === "all" ? "No deliveries yet." : "No deliveries today or coming up.";
    if (!batches.length) list.append(el("p", none, { class: "muted" }));
    for (const b of batches) {
      const card = el("article", "", { class: "card batch" });
      const title = el("h3", `${day(b.delivery_date)} `);
      title.append(el("span", BATCH[b.status] || b.status, { class: "badge" }));
      card.append(title, el("p", b.pickup_point.name, { class: "muted" }),
        el("p", `${b.totals.orders} orders · ${b.totals.units} units · ${cash(b.totals.amount_cents)}`),
        el("button", "Open", { type: "button", class: "secondary",
          "aria-label": `Open delivery of ${day(b.delivery_date)} to ${b.pickup_point.name}`,
          onclick: () => openBatch(b.id) }));
      list.append(card);
    }
  });
}

async function openBatch(id) {
  await guarded($("batches-error"), async () => {
    $("arrival-result").textContent = "";
    renderBatch(await api(`/batches/${id}`));
    $("batch").hidden = false;
    $("batch-title").focus();
  });
}

function renderBatch(batch) {
  state.batch = batch;
  $("batch-title").textContent = `Delivery ${day(batch.delivery_date)} · ${batch.pickup_point.name}`;
  const stage = { dispatched: `dispatched ${when(batch.dispatched_at)}`, arrived: `arrived ${when(batch.arrived_at)}` };
  $("batch-meta").textContent = [BATCH[batch.status] || batch.status, stage[batch.status],
    `${batch.totals.orders} orders, ${batch.totals.units} units, ${cash(batch.totals.amount_cents)}`,
    batch.pickup_point.address].filter(Boolean).join(" · ");
  const arrival = $("arrival");
  arrival.replaceChildren();
  if (batch.status === "closed" || batch.status === "dispatched") arrival.append(arrivalForm(batch));
  else if (batch.status === "open") arrival.append(el("p", "Still taking orders: confirm arrival once it is delivered.", { class: "muted" }));
  $("batch-orders").replaceChildren(cards(ORDER_COLUMNS, batch.orders, "Orders in this delivery"));
}

/** One fieldset per SKU; a "short by" box per order line, since shortages are refunded per line. */
function arrivalForm(batch) {
  const form = el("form", "", { id: "arrival-form", "aria-label": "Confirm arrival" });
  form.append(el("h4", "Confirm arrival"),
    el("p", "Count the goods. Enter what is missing or damaged; everything else arrived in full. Short units are refunded.",
      { class: "muted" }));
  const skus = new Map();
  for (const order of batch.orders) {
    for (const line of order.lines) {
      if (!line.quantity) continue;
      if (!skus.has(line.sku_code)) skus.set(line.sku_code, { first: line, lines: [] });
      skus.get(line.sku_code).lines.push({ order, line });
    }
  }
  for (const [code, { first, lines }] of skus) {
    const name = `${first.product_name} · ${first.sku_name}`;
    const total = lines.reduce((n, { line }) => n + line.quantity, 0);
    const set = el("fieldset", "", { class: "sku" });
    set.append(el("legend", `${name} (${code}): ${total} sent`));
    for (const { order, line } of lines) {
      const text = lines.length === 1 ? `${name}: short by`
        : `${name}, order ${order.number} (${order.shopper_name}, ${line.quantity} sent): short by`;
      const label = el("label", text);
      label.append(el("input", "", { type: "number", min: 0, max: line.quantity, step: 1, value: 0,
        inputmode: "numeric", "data-line": line.order_line_id }));
      set.append(label);
    }
    const reason = el("label", `Why ${name} is short`);
    const select = el("select", "", { "data-reason": "" });
    select.append(new Option("Missing", "missing"), new Option("Damaged", "damaged"));
    reason.append(select);
    set.append(reason);
    form.append(set);
  }
  form.append(el("button", "Confirm arrival", { type: "submit" }), el("p", "", { class: "error", role: "alert", "data-error": "" }));
  submit(form, async () => {
    const shortages = [];
    for (const set of form.querySelectorAll("fieldset")) {
      const reason = set.querySelector("[data-reason]").value;
      for (const input of set.querySelectorAll("input[data-line]")) {
        const quantity = Number(input.value || 0);
        if (quantity > 0) shortages.push({ order_line_id: Number(input.dataset.line), quantity, reason });
      }
    }
    const arrived = await api(`/batches/${batch.id}/arrival`, { method: "POST", body: { shortages } });
    const ready = arrived.orders.filter((o) => o.fulfilment === "ready_for_pickup").length;
    const short = shortages.reduce((n, s) => n + s.quantity, 0);
    renderBatch(arrived);
    $("arrival-result").textContent = `Arrival confirmed: ${ready} orders ready for pickup` +
      (short ? `, ${short} short ${short === 1 ? "unit" : "units"} (refunded, or not charged at pickup).`
        : "; everything arrived in full.");
    $("arrival-result").focus(); // the form that had focus is gone
    loadBatches();
  });
  return form;
}

// --- handing over ---------------------------------------------------------------------------

submit($("pickup-form"), async (fields, form) => {
  const typed = (fields.code || "").trim();
  const qr = typed.match(/^PICKUP\/([^/]+)\/([^/]+)$/i); // the text of the shopper's QR code
  const body = qr ? { code: qr[2], order_number: qr[1] } : { code: typed };
  if (fields.collected !== undefined) body.collected_cents = toCents(fields.collected);
  const box = $("pickup-result");
  box.hidden = true;
  const order = await api("/pickups", { method: "POST", body });
  const done = order.fulfilment === "picked_up";
  box.replaceChildren(el("h3", `Handed over: order ${order.number}`),
    el("p", `Shopper: ${order.shopper_name}`),
    el("p", done ? "Everything is collected." : "Partly collected: the rest is still waiting.", { class: "ok" }),
    linesList(order));
  box.hidden = false;
  form.reset();
  $("pickup-code").focus();
});

// --- waiting orders -------------------------------------------------------------------------

async function loadWaiting() {
  await guarded($("waiting-error"), async () => {
    const kinds = [["waiting-ready", "ready_for_pickup", "Ready for pickup"],
      ["waiting-partial", "partially_picked_up", "Partly collected"],
      ["waiting-overdue", "uncollected", "Past the collection deadline"]];
    const lists = await Promise.all(kinds.map(([, f]) => api(`/orders?fulfilment=${f}&page_size=100`)));
    kinds.forEach(([id, , caption], i) => {
      $(id).replaceChildren(cards(ORDER_COLUMNS, lists[i], `${caption} (${lists[i].length})`));
    });
  });
}

// --- earnings and payouts -------------------------------------------------------------------

async function loadEarnings() {
  state.entriesPage = 1;
  await guarded($("earnings-error"), async () => {
    const [balance, payouts, entries] = await Promise.all([
      api("/commissions"), api("/payouts?page_size=20"), api("/commissions/entries?page=1&page_size=20")]);
    state.currency = balance.currency;
    const stats = el("dl", "", { class: "stats" });
    for (const [label, cents, note] of [
      ["Available", balance.available_cents, "withdrawable now"],
      ["Pending", balance.pending_cents, "earned, in the after-sale window"],
      ["Being paid out", balance.withdrawing_cents, "in payouts not yet paid"],
      ["Paid out", balance.paid_out_cents, "so far"]]) {
      const item = el("div", "", { class: "card" });
      item.append(el("dt", label), el("dd", cash(cents), { class: "amount" }), el("dd", note, { class: "muted" }));
      stats.append(item);
    }
    $("balance").replaceChildren(stats);
    renderPayouts(payouts);
    state.entries = entries;
    renderEntries(entries.length === 20);
  });
  await loadPayoutAccount();
}

function renderPayouts(payouts) {
  $("payouts").replaceChildren(cards([
    ["Requested", (p) => stamp(p.created_at)],
    ["Amount", (p) => cash(p.amount_cents)],
    ["Fee", (p) => cash(p.fee_cents)],
    ["You receive", (p) => cash(p.net_cents)],
    ["Status", (p) => PAYOUT[p.status] || p.status],
    ["Note", (p) => p.reason || p.last_error || p.bank_reference || ""],
  ], payouts, "Payouts"));
}

function renderEntries(more) {
  $("entries").replaceChildren(cards([
    ["When", (e) => stamp(e.created_at)],
    ["What", (e) => [ENTRY[e.kind] || e.kind, e.order_number && `order ${e.order_number}`, e.product_name]
      .filter(Boolean).join(" · ")],
    ["Balance", (e) => BUCKET[e.bucket] || e.bucket],
    ["Amount", (e) => cash(e.amount_cents)],
    ["Rate", (e) => (e.rate_bps === null ? "" : `${e.rate_bps / 100}%`)],
  ], state.entries, "Commission entries, newest first"));
  $("more-entries").hidden = !more;
}

$("more-entries").addEventListener("click", () => guarded($("earnings-error"), async () => {
  state.entriesPage += 1;
  const next = await api(`/commissions/entries?page=${state.entriesPage}&page_size=20`);
  state.entries = state.entries.concat(next);
  renderEntries(next.length === 20);
}));

async function loadPayoutAccount() {
  const text = $("payout-account");
  const button = $("payout-setup");
  $("payout-account-error").textContent = "";
  button.hidden = true;
  try {
    const account = await api("/payout-account");
    if (account.details_submitted) {
      text.textContent = account.transfers_enabled ? "Payouts go to your Stripe account; it is ready."
        : "Stripe is still checking your details; payouts can go out once it enables transfers.";
    } else {
      text.textContent = "Your Stripe payout account is not finished yet.";
      button.textContent = "Continue Stripe onboarding";
      button.hidden = false;
    }
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 409) text.textContent = "Payouts by bank transfer: the store pays approved payouts to your bank account.";
    else if (error.status === 404) {
      text.textContent = "No Stripe payout account yet. Set one up to receive payouts by Stripe.";
      button.textContent = "Set up payouts by Stripe";
      button.hidden = false;
    } else if (error.status !== 401) {
      text.textContent = "";
      $("payout-account-error").textContent = explain(error);
    }
  }
}

$("payout-setup").addEventListener("click", async () => {
  const button = $("payout-setup");
  button.disabled = true;
  try {
    const account = await api("/payout-account", { method: "POST" });
    if (account.onboarding_url) location.assign(account.onboarding_url);
    else await loadPayoutAccount();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 409) {
      $("payout-account").textContent = "Payouts by bank transfer: the store pays approved payouts to your bank account.";
      button.hidden = true;
    } else if (error.status !== 401) $("payout-account-error").textContent = explain(error);
  } finally {
    button.disabled = false;
  }
});

submit($("payout-form"), async (fields, form) => {
  const amount = toCents(fields.amount);
  // One key per intended payout: a retry after a lost connection reuses it, so it is paid once.
  if (!state.payoutKey || state.payoutKey.amount !== amount) state.payoutKey = { amount, key: idempotencyKey() };
  $("payout-result").textContent = "";
  try {
    const payout = await api("/payouts", { method: "POST", body: { amount_cents: amount },
      headers: { "Idempotency-Key": state.payoutKey.key } });
    state.payoutKey = null;
    form.reset();
    await loadEarnings();
    $("payout-result").textContent = `Payout of ${cash(payout.amount_cents)} requested; you receive ` +
      `${cash(payout.net_cents)} after the ${cash(payout.fee_cents)} fee once the store approves it.`;
  } catch (error) {
    if (error.status !== 0) state.payoutKey = null; // answered: a new attempt is a new request
    throw error;
  }
});

// --- performance ----------------------------------------------------------------------------

async function loadPerformance(month) {
  const rows = await api(`/performance${month ? `?month=${encodeURIComponent(month)}` : ""}`);
  const caption = month ? `Your numbers for ${month}` : "Your numbers this month";
  const out = $("performance-table");
  if (!rows.length) {
    out.replaceChildren(el("p", `${caption}: no paid orders yet.`, { class: "muted" }));
    return;
  }
  const r = rows[0];
  out.replaceChildren(table([["Measure", (x) => x[0]], ["Value", (x) => x[1]]], [
    ["Orders", String(r.orders)],
    ["Sales (paid less refunded)", cash(r.sales_cents)],
    ["Buyers", String(r.unique_buyers)],
    ["Repurchase rate", percent(r.repurchase_rate)],
    ["Commission", cash(r.commission_cents)],
    ["Pickup rate", percent(r.pickup_rate)],
    ["Uncollected rate", percent(r.uncollected_rate)],
  ], caption));
}

submit($("performance-form"), (fields) => loadPerformance(fields.month));

// --- wiring ---------------------------------------------------------------------------------

const showTab = tabs(document.querySelector("nav.tabs"), (name) => {
  if (name === "deliveries") loadBatches();
  else if (name === "waiting") loadWaiting();
  else if (name === "earnings") loadEarnings();
  else if (name === "performance" && !state.performanceShown) {
    state.performanceShown = true;
    guarded($("performance-form").querySelector("[data-error]"), () => loadPerformance(""));
  }
});

submit($("login-form"), async (fields, form) => {
  const issued = await store("/auth/login", { method: "POST", body: fields });
  token.set(issued.token);
  form.reset();
  await start(firstTab);
});

$("logout").addEventListener("click", async () => {
  await store("/auth/logout", { method: "POST" }).catch(() => null);
  showLogin();
  $("who").textContent = "You are logged out.";
});

$("all-batches").addEventListener("change", loadBatches);
$("reload-batches").addEventListener("click", loadBatches);
$("reload-waiting").addEventListener("click", loadWaiting);
$("close-batch").addEventListener("click", () => {
  $("batch").hidden = true;
  state.batch = null;
  document.querySelector('[data-tab="deliveries"]').focus();
});

// Stripe's onboarding returns here with ?payout-account=done|expired: say so, and open Earnings.
const returned = new URLSearchParams(location.search).get("payout-account");
const firstTab = STRIPE_RETURN[returned] ? "earnings" : "deliveries";
if (STRIPE_RETURN[returned]) {
  showBanner(STRIPE_RETURN[returned]);
  history.replaceState(null, "", location.pathname);
}
start(firstTab);
