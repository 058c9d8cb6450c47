// The group leader's pickup console: deliveries and arrival, handing orders over by pickup code,
// what is still waiting, earnings and payouts, and the month's numbers. Plain ES modules, no build.
import { keepsLocale, startPage, t, tabs } from "../common.js";
import { on, report, showBanner, state, store } from "./context.js";
import { initAfterSales, loadAfterSales } from "./aftersales.js";
import { initDeliveries, loadBatches } from "./deliveries.js";
import { initEarnings, loadEarnings } from "./earnings.js";
import { initHandover } from "./handover.js";
import { initPerformance, showPerformance } from "./performance.js";
import { initPosters } from "./posters.js";
import { initSession, start } from "./session.js";
import { initWaiting, loadWaiting } from "./waiting.js";

const STRIPE_RETURN = { done: "leader.stripe.done", expired: "leader.stripe.expired" };

/** A leader is a shopper: a new language choice is kept on their shopper account. */
async function saveToAccount(locale) {
  if (keepsLocale(state.me)) await store("/me", { method: "PATCH", body: { locale } });
}

async function main() {
  await startPage({ saveToAccount });
  const showTab = tabs(document.querySelector("nav.tabs"), (name) => {
    if (name === "deliveries") loadBatches();
    else if (name === "waiting") loadWaiting();
    else if (name === "aftersales") loadAfterSales();
    else if (name === "earnings") loadEarnings();
    else if (name === "performance") showPerformance();
  });
  on("show-tab", showTab);

  // Stripe's onboarding returns here with ?payout-account=done|expired: say so, and open Earnings.
  const returned = new URLSearchParams(location.search).get("payout-account");
  const firstTab = STRIPE_RETURN[returned] ? "earnings" : "deliveries";

  initSession(firstTab);
  initDeliveries();
  initHandover();
  initWaiting();
  initAfterSales();
  initEarnings();
  initPerformance();
  initPosters();

  if (STRIPE_RETURN[returned]) {
    showBanner(t(STRIPE_RETURN[returned]));
    history.replaceState(null, "", location.pathname);
  }
  await start(firstTab);
}

main().catch(report);
