// The Waiting tab: orders at the leader's points not yet collected (ready, partly collected, and
// past the collection deadline).
import { $ } from "../common.js";
import { api, cards, guarded } from "./context.js";
import { ORDER_COLUMNS } from "./orders.js";

export async function loadWaiting() {
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

export function initWaiting() {
  $("reload-waiting").addEventListener("click", loadWaiting);
}
