// The After-sales tab: requests at the leader's points awaiting their review, with the shopper's
// photos; the leader confirms what they see or disputes it, with a note the merchant and shopper read.
import { $, ApiError, confirmAction, dateTime, el, fetchedImage, label, t } from "../common.js";
import { api, cash, explain, guarded } from "./context.js";

const VERDICTS = {
  confirmed: { title: "leader.aftersale.confirm_title", message: "leader.aftersale.confirm_message", button: "leader.aftersale.confirm" },
  disputed: { title: "leader.aftersale.dispute_title", message: "leader.aftersale.dispute_message", button: "leader.aftersale.dispute" },
};

function requestCard(request) {
  const card = el("article", "", { class: "card aftersale", "data-aftersale": request.id });
  card.append(el("h3", t("leader.aftersale.request", { number: request.id, order: request.order_id })));
  card.append(el("p", t("leader.aftersale.claim", { reason: label("aftersaleReason", request.reason),
    quantity: request.quantity, amount: cash(request.claim_cents) })));
  if (request.description) card.append(el("p", request.description, { class: "muted" }));
  card.append(el("p", t("leader.aftersale.due", { when: dateTime(request.review_due_at) }), { class: "muted" }));
  const photos = el("div", "", { class: "row aftersale-photos" });
  photos.append(...request.photos.map((photo) => fetchedImage(api, `/after-sales/${request.id}/photos/${photo.id}`, {
    alt: t("leader.aftersale.photo_alt", { number: request.id }), class: "aftersale-photo", width: 96, height: 96 })));
  if (!request.photos.length) photos.append(el("p", t("leader.aftersale.no_photos"), { class: "muted" }));
  const note = el("textarea", "", { rows: 2, maxlength: 1000 });
  const noteLabel = el("label", "");
  noteLabel.append(el("span", t("leader.aftersale.note")), note);
  const error = el("p", "", { class: "error", role: "alert" });
  const claim = { number: request.id, reason: label("aftersaleReason", request.reason), quantity: request.quantity,
    amount: cash(request.claim_cents) };
  // The verdict moves the request on to the merchant and cannot be changed: say what it means first.
  const review = (verdict) => async () => {
    error.textContent = "";
    const keys = VERDICTS[verdict];
    try {
      const done = await confirmAction({ title: t(keys.title, claim), message: t(keys.message, claim), confirm: t(keys.button),
        onConfirm: () => api(`/after-sales/${request.id}/review`, { method: "POST", body: { verdict, note: note.value || null } }) });
      if (done) await loadAfterSales();
    } catch (failure) {
      if (!(failure instanceof ApiError)) throw failure;
      error.textContent = explain(failure);
    }
  };
  const actions = el("div", "", { class: "row" });
  actions.append(el("button", t("leader.aftersale.confirm"), { type: "button", onclick: review("confirmed") }),
    el("button", t("leader.aftersale.dispute"), { type: "button", class: "secondary", onclick: review("disputed") }));
  card.append(photos, noteLabel, actions, error);
  return card;
}

export async function loadAfterSales() {
  await guarded($("aftersales-error"), async () => {
    const requests = await api("/after-sales?status=awaiting_leader&page_size=100");
    const list = $("aftersales-list");
    list.replaceChildren(...requests.map(requestCard));
    if (!requests.length) list.append(el("p", t("leader.aftersale.none"), { class: "muted empty" }));
  });
}

export function initAfterSales() {
  $("reload-aftersales").addEventListener("click", loadAfterSales);
}
