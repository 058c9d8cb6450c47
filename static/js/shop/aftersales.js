// After-sales (售后) on the Orders tab: ask for help on a line of a picked-up order (reason, units,
// description, up to 6 photos), follow the request (status, history, photos) and withdraw it while open.
// The API decides what is allowed (window, one open request per line); its refusals are shown as they come.
import { ApiError, confirmAction, dateTime, el, fetchedImage, label, money, t } from "../common.js";
import { api, report } from "./context.js";

export const MAX_PHOTOS = 6;
const REASONS = ["quality", "damaged", "missing", "wrong_item", "expired", "other"];
const OPEN = new Set(["awaiting_leader", "awaiting_merchant"]);
// Messages that must outlive the redraw after an action (e.g. a photo refused after the request opened).
const notices = new Map();

/** The shopper's requests by order line, newest first (the API's order), so the first is the current one. */
export async function requestsByLine() {
  const byLine = new Map();
  for (const request of await api("/after-sales?page_size=100")) {
    if (!byLine.has(request.order_line_id)) byLine.set(request.order_line_id, request);
  }
  return byLine;
}

async function uploadPhotos(requestId, files) {
  for (const file of files) {
    const body = new FormData();
    body.append("photo", file, file.name);
    await api(`/after-sales/${requestId}/photos`, { method: "POST", body });
  }
}

function photoImage(request, photo) {
  return fetchedImage(api, `/after-sales/${request.id}/photos/${photo.id}`, {
    alt: t("shop.aftersale.photo_alt", { number: request.id }), class: "aftersale-photo", width: 72, height: 72 });
}

function historyList(request) {
  const list = el("ol", "", { class: "aftersale-history" });
  for (const event of request.history) {
    const text = `${dateTime(event.created_at)} ${label("aftersaleEvent", event.kind)}`;
    list.append(el("li", event.note ? t("shop.aftersale.event_note", { event: text, note: event.note }) : text));
  }
  return list;
}

function requestBox(request, line, refresh) {
  const box = el("div", "", { class: "aftersale", "data-aftersale": request.id });
  box.append(el("p", t("shop.aftersale.status", { status: label("aftersale", request.status),
    reason: label("aftersaleReason", request.reason), quantity: request.quantity }), { class: "aftersale-status" }));
  if (request.decision_reason) box.append(el("p", t("shop.aftersale.decision_reason", { reason: request.decision_reason })));
  if (request.photos.length) {
    const photos = el("div", "", { class: "row aftersale-photos" });
    photos.append(...request.photos.map((photo) => photoImage(request, photo)));
    box.append(photos);
  }
  box.append(historyList(request));
  const error = el("p", notices.get(request.id) || "", { class: "error", role: "alert" });
  notices.delete(request.id);
  if (OPEN.has(request.status)) {
    const actions = el("div", "", { class: "row" });
    const input = el("input", "", { type: "file", accept: "image/*", multiple: true,
      "aria-label": t("shop.aftersale.add_photos_named", { name: line.product_name }) });
    input.addEventListener("change", () => act(error, async () => {
      if (request.photos.length + input.files.length > MAX_PHOTOS) throw new ApiError(422, t("shop.aftersale.too_many_photos"));
      await uploadPhotos(request.id, input.files);
    }, refresh));
    const withdraw = el("button", t("shop.aftersale.withdraw"), { type: "button", class: "secondary",
      onclick: () => confirmAction({ title: t("shop.aftersale.withdraw_title", { number: request.id }),
        message: t("shop.aftersale.withdraw_message"), confirm: t("shop.aftersale.withdraw"),
        onConfirm: () => api(`/after-sales/${request.id}/withdraw`, { method: "POST" }) })
        .then((done) => done && refresh()).catch(report) });
    const add = el("label", "", { class: "file" });
    add.append(el("span", t("shop.aftersale.add_photos")), input);
    actions.append(add, withdraw);
    box.append(actions);
  }
  box.append(error);
  return box;
}

async function act(errorBox, action, refresh) {
  errorBox.textContent = "";
  try {
    await action();
    await refresh();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    errorBox.textContent = error.message;
  }
}

function field(labelText, control) {
  const wrap = el("label", "");
  wrap.append(el("span", labelText), control);
  return wrap;
}

/** What `units` of a line claim: their share of the line total, rounded down (the server's rule). */
const claimOf = (line, units) => Math.min(Math.floor(line.line_total_cents * units / line.quantity), line.line_total_cents);

function requestForm(order, line, refresh) {
  const form = el("form", "", { class: "aftersale-form", hidden: true });
  const reason = el("select", "", { name: "reason", required: true });
  for (const value of REASONS) reason.append(new Option(label("aftersaleReason", value), value));
  const quantity = el("input", "", { name: "quantity", type: "number", min: 1, max: line.quantity, value: 1, required: true });
  const description = el("textarea", "", { name: "description", maxlength: 1000, rows: 3 });
  const photos = el("input", "", { name: "photos", type: "file", accept: "image/*", multiple: true });
  const error = el("p", "", { class: "error", role: "alert", "data-error": "" });
  form.append(field(t("shop.aftersale.reason"), reason), field(t("shop.aftersale.quantity"), quantity),
    field(t("shop.aftersale.description"), description),
    field(t("shop.aftersale.photos", { max: MAX_PHOTOS }), photos),
    el("button", t("shop.aftersale.submit"), { type: "submit" }), error);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    if (photos.files.length > MAX_PHOTOS) {
      error.textContent = t("shop.aftersale.too_many_photos");
      return;
    }
    const files = [...photos.files];
    const units = Number(quantity.value);
    // A request starts a refund the shopper cannot take back once decided: say what it claims first.
    confirmAction({ title: t("shop.aftersale.confirm_title"), confirm: t("shop.aftersale.submit"),
      message: t("shop.aftersale.confirm_message", { name: `${line.product_name} ${line.sku_name}`, quantity: units,
        amount: money(claimOf(line, units)) }),
      onConfirm: async () => {
        const opened = await api(`/orders/${order.id}/after-sales`, { method: "POST", body: {
          order_line_id: line.id, reason: reason.value, quantity: units, description: description.value } });
        try {
          await uploadPhotos(opened.id, files);
        } catch (failure) {
          if (!(failure instanceof ApiError)) throw failure;
          notices.set(opened.id, t("shop.aftersale.photo_failed", { message: failure.message }));
        }
      } }).then((sent) => sent && refresh()).catch(report);
  });
  return form;
}

/** What a line of an order shows about after-sales: its current request, and "申请售后" when it may ask. */
export function lineAfterSale(order, line, request, refresh) {
  const box = el("div", "", { class: "line-aftersale" });
  if (request) box.append(requestBox(request, line, refresh));
  if (!order.picked_up_at || (request && OPEN.has(request.status))) return box;
  const form = requestForm(order, line, refresh);
  box.append(el("button", t("shop.aftersale.ask"), { type: "button", class: "secondary",
    "aria-label": t("shop.aftersale.ask_named", { name: `${line.product_name} ${line.sku_name}` }),
    onclick: () => { form.hidden = !form.hidden; } }), form);
  return box;
}
