// The Hand over tab: verify a pickup code (or the text of the shopper's QR code) and hand the
// order over, with the amount collected for pay-at-pickup orders.
import { $, el, t, toMinor } from "../common.js";
import { api, submit } from "./context.js";
import { linesList } from "./orders.js";

export function initHandover() {
  submit($("pickup-form"), async (fields, form) => {
    const typed = (fields.code || "").trim();
    const qr = typed.match(/^PICKUP\/([^/]+)\/([^/]+)$/i); // the text of the shopper's QR code
    const body = qr ? { code: qr[2], order_number: qr[1] } : { code: typed };
    if (fields.collected !== undefined) body.collected_cents = toMinor(fields.collected);
    const box = $("pickup-result");
    box.hidden = true;
    const order = await api("/pickups", { method: "POST", body });
    const done = order.fulfilment === "picked_up";
    box.replaceChildren(el("h3", t("leader.pickup.handed_over", { number: order.number })),
      el("p", t("leader.pickup.shopper", { name: order.shopper_name })),
      el("p", t(done ? "leader.pickup.all_collected" : "leader.pickup.partly_collected"), { class: "ok" }),
      linesList(order));
    box.hidden = false;
    form.reset();
    $("pickup-code").focus();
  });
}
