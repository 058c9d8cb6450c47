// The Waiting tab: orders at the leader's points not yet collected (ready, partly collected, and
// past the collection deadline).
import { $, t } from "../common.js";
import { api, cards, guarded } from "./context.js";
import { orderColumns } from "./orders.js";

export async function loadWaiting() {
  await guarded($("waiting-error"), async () => {
    const kinds = [["waiting-ready", "ready_for_pickup", "leader.waiting.ready", "leader.waiting.empty_ready"],
      ["waiting-partial", "partially_picked_up", "leader.waiting.partial", "leader.waiting.empty_partial"],
      ["waiting-overdue", "uncollected", "leader.waiting.overdue", "leader.waiting.empty_overdue"]];
    const lists = await Promise.all(kinds.map(([, f]) => api(`/orders?fulfilment=${f}&page_size=100`)));
    kinds.forEach(([id, , caption, empty], i) => {
      $(id).replaceChildren(cards(orderColumns(), lists[i], t(caption, { count: lists[i].length }), t(empty)));
    });
  });
}

export function initWaiting() {
  $("reload-waiting").addEventListener("click", loadWaiting);
}
