// Stock tab (`stock.read`; forms need `stock.manage`): the movements ledger filtered by SKU, reason
// and store-local day; a write-off form; and the stock-take — open a count sheet, enter what was
// counted, confirm (one adjustment per SKU that differs; confirming twice changes nothing more).
import { $, dateTime, el, onSubmit, t } from "../common.js";
import { api, can } from "./context.js";
import { actionButton, dataTable, notify, pagedList, query, reportFailure } from "./ui.js";

const REASONS = {
  opening: "admin.stock.reason.opening", adjusted: "admin.stock.reason.adjusted",
  received: "admin.stock.reason.received", reserved: "admin.stock.reason.reserved",
  released: "admin.stock.reason.released", sold: "admin.stock.reason.sold", refunded: "admin.stock.reason.refunded",
  shortage: "admin.stock.reason.shortage", written_off: "admin.stock.reason.written_off",
  counted: "admin.stock.reason.counted", transferred_in: "admin.stock.reason.transferred_in",
  transferred_out: "admin.stock.reason.transferred_out",
};
const CAUSES = {
  spoiled: "admin.stock.cause.spoiled", damaged: "admin.stock.cause.damaged", expired: "admin.stock.cause.expired",
  other: "admin.stock.cause.other",
};
const reasonText = (reason) => (REASONS[reason] ? t(REASONS[reason]) : reason);
const signed = (n) => (n > 0 ? `+${n}` : String(n));

function filters() {
  const form = Object.fromEntries([...new FormData($("stock-filter"))]);
  return { sku_id: form.sku_id, reason: form.reason, created_from: form.created_from, created_to: form.created_to };
}

function renderMovements(rows) {
  return dataTable([
    [t("admin.stock.at"), (m) => dateTime(m.created_at)],
    [t("admin.stock.sku"), (m) => `${m.sku_code} (#${m.sku_id})`],
    [t("admin.stock.reason"), (m) => reasonText(m.reason) + (m.cause && CAUSES[m.cause] ? ` · ${t(CAUSES[m.cause])}` : "")],
    [t("admin.stock.on_hand_change"), (m) => signed(m.total_change - m.sold_change), "num"],
    [t("admin.stock.reserved_change"), (m) => signed(m.reserved_change), "num"],
    [t("admin.stock.reference"), (m) => (m.reference_type ? `${m.reference_type} ${m.reference_id ?? ""}` : "")],
    [t("admin.stock.note"), (m) => m.note ?? ""],
  ], rows, t("admin.stock.movements"), { empty: t("admin.empty.stock_movements") });
}

const movements = pagedList($("stock-movements"), {
  what: () => t("admin.what.movements"),
  size: 50,
  fetchPage: (page, size) => api(`/stock/movements${query({ ...filters(), page, page_size: size })}`),
  render: renderMovements,
});

/** The open count sheet: one number field per SKU, then save or confirm. */
function renderSheet(sheet) {
  const mount = $("stock-take-sheet");
  const open = sheet.status === "open";
  const input = (line) => el("input", "", { type: "number", min: "0", step: "1", inputmode: "numeric",
    name: `sku-${line.sku_id}`, value: line.counted ?? "", disabled: !open,
    "aria-label": t("admin.stock.counted_of", { sku: line.sku_code }) });
  const inputs = new Map(sheet.lines.map((line) => [line.sku_id, input(line)]));
  const table = dataTable([
    [t("admin.stock.sku"), (ln) => `${ln.sku_code} (#${ln.sku_id})`],
    [t("admin.stock.expected"), (ln) => String(ln.expected), "num"],
    [t("admin.stock.counted"), (ln) => inputs.get(ln.sku_id)],
    [t("admin.stock.adjustment"), (ln) => (ln.adjustment === null ? "" : signed(ln.adjustment)), "num"],
  ], sheet.lines, t("admin.stock.sheet", { id: sheet.id }));
  const counts = () => [...inputs].filter(([, i]) => i.value !== "")
    .map(([sku_id, i]) => ({ sku_id, counted: Number(i.value) }));
  const save = () => api(`/stock/stock-takes/${sheet.id}/counts`, { method: "PUT", body: { counts: counts() } });
  const buttons = open ? [
    actionButton(t("admin.stock.save_counts"), async () => {
      if (counts().length) renderSheet(await save());
      notify(t("admin.stock.saved"));
    }, { secondary: true }),
    actionButton(t("admin.stock.confirm"), async () => {
      if (counts().length) await save();
      renderSheet(await api(`/stock/stock-takes/${sheet.id}/confirm`, { method: "POST" }));
      notify(t("admin.stock.confirmed"));
      movements.reload().catch(reportFailure);
    }),
  ] : [el("p", t("admin.stock.sheet_closed"), { class: "muted" })];
  const bar = el("div", "", { class: "row" });
  bar.append(...buttons);
  mount.replaceChildren(table, bar);
}

export function init() {
  const reason = $("stock-filter").querySelector("[name=reason]");
  reason.append(el("option", t("admin.stock.any_reason"), { value: "" }),
    ...Object.keys(REASONS).map((r) => el("option", reasonText(r), { value: r })));
  const cause = $("stock-write-off").querySelector("[name=cause]");
  cause.append(...Object.entries(CAUSES).map(([value, key]) => el("option", t(key), { value })));
  $("stock-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    movements.reload().catch(reportFailure);
  });
  onSubmit($("stock-write-off"), async (body, form) => {
    await api("/stock/write-offs", { method: "POST", body: {
      sku_id: Number(body.sku_id), quantity: Number(body.quantity), cause: body.cause, note: body.note ?? null } });
    form.reset();
    notify(t("admin.stock.written_off"));
    await movements.reload();
  });
  onSubmit($("stock-take-new"), async (body) => {
    const ids = (body.sku_ids ?? "").split(/[\s,，]+/).filter(Boolean).map(Number);
    renderSheet(await api("/stock/stock-takes", { method: "POST", body: { sku_ids: ids.length ? ids : null } }));
  });
}

export async function show() {
  for (const id of ["stock-write-off", "stock-take-new"]) $(id).hidden = !can("stock.manage");
  await movements.reload();
  const [latest] = await api("/stock/stock-takes?page_size=1");
  if (latest && latest.status === "open") renderSheet(latest);
}
