// The After-sales tab: requests waiting for the merchant (reviewed by the leader, or escalated when
// the review is overdue), with photos, the leader's verdict and the history; a decision per request:
// refund (all, fewer units, or a partial amount), replacement, or rejection with a reason.
import { $, ApiError, confirmAction, dateTime, el, fetchedImage, label, money, t, toMinor } from "../common.js";
import { api } from "./context.js";

function field(text, control) {
  const wrap = el("label", "");
  wrap.append(el("span", text), control);
  return wrap;
}

const DECISIONS = { refund: "admin.aftersale.decision_refund", replace: "admin.aftersale.decision_replace",
  reject: "admin.aftersale.decision_reject" };

/** What the decision will do, in words: the refund's amount when it is known here (the amount typed,
 * or the whole claim); the server computes a share of fewer units, so that case names the units. */
function consequence(request, body) {
  if (body.decision === "replace") return t("admin.aftersale.confirm_replace", { quantity: body.quantity });
  if (body.decision === "reject") return t("admin.aftersale.confirm_reject");
  if (body.amount_cents == null && body.quantity !== request.quantity) {
    return t("admin.aftersale.confirm_refund_units", { quantity: body.quantity, claimed: request.quantity });
  }
  return t("admin.aftersale.confirm_refund", { quantity: body.quantity,
    amount: money(body.amount_cents ?? request.claim_cents) });
}

function decisionForm(request) {
  const form = el("form", "", { class: "aftersale-decision" });
  const decision = el("select", "", { name: "decision" });
  for (const [value, key] of Object.entries(DECISIONS)) decision.append(new Option(t(key), value));
  const quantity = el("input", "", { name: "quantity", type: "number", min: 1, max: request.quantity, value: request.quantity });
  const amount = el("input", "", { name: "amount", inputmode: "decimal", placeholder: money(request.claim_cents) });
  const reason = el("input", "", { name: "reason", maxlength: 500 });
  const error = el("p", "", { class: "error", role: "alert" });
  form.append(field(t("admin.aftersale.decision"), decision), field(t("admin.aftersale.quantity"), quantity),
    field(t("admin.aftersale.amount"), amount), field(t("admin.aftersale.reason"), reason),
    el("button", t("admin.aftersale.decide"), { type: "submit" }), error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const body = { decision: decision.value, quantity: Number(quantity.value) };
    if (decision.value === "refund" && amount.value.trim()) body.amount_cents = toMinor(amount.value);
    if (reason.value.trim()) body.reason = reason.value.trim();
    // A refund moves money and a replacement takes stock, neither undone: say which and how much first.
    // A refusal (say, a rejection without a reason) is shown in the dialog, which stays open.
    const decided = await confirmAction({ title: t("admin.aftersale.confirm_title", { number: request.id }),
      message: consequence(request, body), confirm: t(DECISIONS[body.decision]),
      onConfirm: () => api(`/after-sales/${request.id}/decision`, { method: "POST", body }) });
    if (!decided) return;
    await show().catch((failure) => {
      if (!(failure instanceof ApiError)) throw failure;
      error.textContent = failure.message;
    });
  });
  return form;
}

function requestCard(request) {
  const card = el("article", "", { class: "card aftersale", "data-aftersale": request.id });
  card.append(el("h3", t("admin.aftersale.request", { number: request.id, order: request.order_id })));
  card.append(el("p", t("admin.aftersale.claim", { reason: label("aftersaleReason", request.reason),
    quantity: request.quantity, amount: money(request.claim_cents), status: label("aftersale", request.status) })));
  if (request.description) card.append(el("p", request.description, { class: "muted" }));
  card.append(el("p", request.leader_verdict
    ? t("admin.aftersale.leader", { verdict: label("aftersaleEvent", `leader_${request.leader_verdict}`), note: request.leader_note || "–" })
    : t("admin.aftersale.overdue", { when: dateTime(request.review_due_at) })));
  const photos = el("div", "", { class: "row aftersale-photos" });
  photos.append(...request.photos.map((photo) => fetchedImage(api, `/after-sales/${request.id}/photos/${photo.id}`, {
    alt: t("admin.aftersale.photo_alt", { number: request.id }), class: "aftersale-photo", width: 96, height: 96 })));
  card.append(photos, decisionForm(request));
  return card;
}

export async function show() {
  const status = $("aftersales-status").value;
  const list = $("aftersales-list");
  const requests = await api(`/after-sales?status=${status}&page_size=50`);
  list.replaceChildren(...requests.map(requestCard));
  if (!requests.length) list.append(el("p", t("admin.aftersale.none"), { class: "muted empty" }));
}

export function init() {
  $("aftersales-status").addEventListener("change", () => show().catch((error) => {
    if (!(error instanceof ApiError)) throw error;
    $("aftersales-list").replaceChildren(el("p", error.message, { class: "error", role: "alert" }));
  }));
}
