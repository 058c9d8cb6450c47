// The Hand over tab: verify a pickup code (or the text of the shopper's QR code), look the order up
// first (POST /pickups/preview: what is waiting and the amount due), then hand it over after the
// leader confirms — with the amount collected, prefilled with the amount due, for pay-at-pickup orders.
import { $, ApiError, confirmAction, el, money, t, toMinor } from "../common.js";
import { api, submit } from "./context.js";
import { linesList } from "./orders.js";

const COLLECTABLE = ["ready_for_pickup", "partially_picked_up"];

function showResult(order) {
  const box = $("pickup-result");
  const done = order.fulfilment === "picked_up";
  box.replaceChildren(el("h3", t("leader.pickup.handed_over", { number: order.number })),
    el("p", t("leader.pickup.shopper", { name: order.shopper_name })),
    el("p", t(done ? "leader.pickup.all_collected" : "leader.pickup.partly_collected"), { class: "ok" }),
    linesList(order));
  box.hidden = false;
}

/** The amount field of the confirm dialog (pay at pickup only), prefilled with the amount due. */
function amountField(due) {
  const field = el("label", "", { class: "amount" });
  field.append(el("span", t("leader.pickup.collected")),
    el("input", "", { name: "collected", type: "number", min: 0, step: "0.01", inputmode: "decimal", required: true,
      value: (due / 100).toFixed(2) }));
  return field;
}

export function initHandover() {
  submit($("pickup-form"), async (fields, form) => {
    const typed = (fields.code || "").trim();
    const qr = typed.match(/^PICKUP\/([^/]+)\/([^/]+)$/i); // the text of the shopper's QR code
    const body = qr ? { code: qr[2], order_number: qr[1] } : { code: typed };
    $("pickup-result").hidden = true;
    const order = await api("/pickups/preview", { method: "POST", body });
    if (!COLLECTABLE.includes(order.fulfilment)) { // said before asking, with the order's state
      throw new ApiError(409, t("leader.pickup.not_ready"), { fulfilment: order.fulfilment });
    }
    const due = order.amount_due_cents || 0;
    let handed = null;
    const confirmed = await confirmAction({
      title: t("leader.pickup.confirm_title", { number: order.number }),
      message: due ? t("leader.pickup.confirm_pay", { name: order.shopper_name, amount: money(due) })
        : t("leader.pickup.confirm_paid", { name: order.shopper_name }),
      confirm: t("leader.pickup.confirm"),
      body: due ? amountField(due) : linesList(order),
      onConfirm: async (dialogForm) => {
        const final = { ...body };
        if (due) final.collected_cents = toMinor(dialogForm.elements.collected.value);
        handed = await api("/pickups", { method: "POST", body: final });
      },
    });
    if (!confirmed) return; // nothing handed over; the code stays in the box
    showResult(handed);
    form.reset();
    $("pickup-code").focus();
  });
}
