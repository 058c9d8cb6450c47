// The Deliveries tab: today's and upcoming batches (past ones on request), one delivery's orders,
// and confirming its arrival with what is short.
import { $, confirmAction, date, dateTime, el, label, t } from "../common.js";
import { api, cards, cash, guarded, state, submit } from "./context.js";
import { orderColumns } from "./orders.js";

const totals = (b) => [t("common.count.orders", { count: b.totals.orders }), t("common.count.units", { count: b.totals.units }),
  cash(b.totals.amount_cents)].join(" · ");

export async function loadBatches() {
  await guarded($("batches-error"), async () => {
    const scope = $("all-batches").checked ? "all" : "upcoming";
    const batches = await api(`/batches?scope=${scope}&page_size=100`);
    const list = $("batches");
    list.replaceChildren();
    if (!batches.length) {
      list.append(el("p", t(scope === "all" ? "leader.deliveries.none" : "leader.deliveries.none_upcoming"), { class: "muted" }));
    }
    for (const b of batches) {
      const card = el("article", "", { class: "card batch" });
      const title = el("h3", `${date(b.delivery_date)} `);
      title.append(el("span", label("batch", b.status), { class: "badge" }));
      card.append(title, el("p", b.pickup_point.name, { class: "muted" }), el("p", totals(b)), driverMark(b),
        el("button", t("leader.deliveries.open"), { type: "button", class: "secondary",
          "aria-label": t("leader.deliveries.open_named", { day: date(b.delivery_date), point: b.pickup_point.name }),
          onclick: () => openBatch(b.id) }));
      list.append(card);
    }
  });
}

/** The route driver's "delivered" mark, when there is one: the goods are at the point, count them in. */
const driverText = (mark) => t("leader.deliveries.driver_delivered", { when: dateTime(mark.at), driver: mark.driver_name ?? "–" });

function driverMark(batch) {
  return batch.driver_delivered ? el("p", driverText(batch.driver_delivered), { class: "ok driver-mark" }) : "";
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
  $("batch-title").textContent = t("leader.deliveries.title", { day: date(batch.delivery_date), point: batch.pickup_point.name });
  const stage = {
    dispatched: t("leader.deliveries.dispatched_at", { when: dateTime(batch.dispatched_at) }),
    arrived: t("leader.deliveries.arrived_at", { when: dateTime(batch.arrived_at) }),
  };
  $("batch-meta").textContent = [label("batch", batch.status), stage[batch.status], totals(batch), batch.pickup_point.address]
    .filter(Boolean).join(" · ");
  const mark = batch.driver_delivered;
  $("batch-driver").hidden = !mark;
  $("batch-driver").textContent = mark ? driverText(mark) : "";
  const arrival = $("arrival");
  arrival.replaceChildren();
  if (batch.status === "closed" || batch.status === "dispatched") arrival.append(arrivalForm(batch));
  else if (batch.status === "open") arrival.append(el("p", t("leader.arrival.still_open"), { class: "muted" }));
  $("batch-orders").replaceChildren(cards(orderColumns(), batch.orders, t("leader.deliveries.orders")));
}

/** One fieldset per SKU; a "short by" box per order line, since shortages are refunded per line. */
function arrivalForm(batch) {
  const form = el("form", "", { id: "arrival-form", "aria-label": t("leader.arrival.confirm") });
  form.append(el("h4", t("leader.arrival.confirm")), el("p", t("leader.arrival.help"), { class: "muted" }));
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
    set.append(el("legend", t("leader.arrival.sent", { name, code, count: total })));
    for (const { order, line } of lines) {
      const text = lines.length === 1 ? t("leader.arrival.short_by", { name })
        : t("leader.arrival.short_by_order", { name, number: order.number, shopper: order.shopper_name, count: line.quantity });
      const labelNode = el("label", text);
      labelNode.append(el("input", "", { type: "number", min: 0, max: line.quantity, step: 1, value: 0,
        inputmode: "numeric", "data-line": line.order_line_id }));
      set.append(labelNode);
    }
    const reason = el("label", t("leader.arrival.why", { name }));
    const select = el("select", "", { "data-reason": "" });
    select.append(new Option(label("shortage", "missing"), "missing"), new Option(label("shortage", "damaged"), "damaged"));
    reason.append(select);
    set.append(reason);
    form.append(set);
  }
  form.append(el("button", t("leader.arrival.confirm"), { type: "submit" }), el("p", "", { class: "error", role: "alert", "data-error": "" }));
  submit(form, async () => {
    const shortages = [];
    for (const set of form.querySelectorAll("fieldset")) {
      const reason = set.querySelector("[data-reason]").value;
      for (const input of set.querySelectorAll("input[data-line]")) {
        const quantity = Number(input.value || 0);
        if (quantity > 0) shortages.push({ order_line_id: Number(input.dataset.line), quantity, reason });
      }
    }
    const short = shortages.reduce((n, s) => n + s.quantity, 0);
    let arrived = null;
    const confirmed = await confirmAction({
      title: t("leader.arrival.confirm_title"),
      message: short ? t("leader.arrival.confirm_short", { short: t("leader.arrival.short_units", { count: short }) })
        : t("leader.arrival.confirm_full"),
      confirm: t("leader.arrival.confirm"),
      onConfirm: async () => { arrived = await api(`/batches/${batch.id}/arrival`, { method: "POST", body: { shortages } }); },
    });
    if (!confirmed) return;
    const ready = arrived.orders.filter((o) => o.fulfilment === "ready_for_pickup").length;
    renderBatch(arrived);
    const readyText = t("leader.arrival.ready", { count: ready });
    $("arrival-result").textContent = short
      ? t("leader.arrival.done_short", { ready: readyText, short: t("leader.arrival.short_units", { count: short }) })
      : t("leader.arrival.done_full", { ready: readyText });
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
