// The Deliveries tab: today's and upcoming batches (past ones on request), one delivery's orders,
// and confirming its arrival with what is short.
import { $, el } from "../common.js";
import { api, cards, cash, day, guarded, state, submit, when } from "./context.js";
import { ORDER_COLUMNS } from "./orders.js";

const BATCH = { open: "Taking orders", closed: "Being packed", dispatched: "On its way", arrived: "Arrived" };

export async function loadBatches() {
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
    $("arrival-result").textContent = `Arrival confirmed: ${ready} ${ready === 1 ? "order" : "orders"} ready for pickup` +
      (short ? `, ${short} short ${short === 1 ? "unit" : "units"} (refunded, or not charged at pickup).`
        : "; everything arrived in full.");
    $("arrival-result").focus(); // the form that had focus is gone
    loadBatches();
  });
  return form;
}

export function initDeliveries() {
  $("all-batches").addEventListener("change", loadBatches);
  $("reload-batches").addEventListener("click", loadBatches);
  $("close-batch").addEventListener("click", () => {
    $("batch").hidden = true;
    state.batch = null;
    document.querySelector('[data-tab="deliveries"]').focus();
  });
}
