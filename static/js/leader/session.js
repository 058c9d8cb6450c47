// Logging in and out: the login form, checking that the account is an approved leader, and
// clearing the console when the session ends or expires.
import { $, followAccountLocale, t } from "../common.js";
import { api, emit, on, showBanner, state, store, submit, token } from "./context.js";

export function showLogin(message = "") {
  token.clear();
  // Nothing of the last leader's stays on screen for the next one.
  for (const id of ["batches", "batch-orders", "arrival", "waiting-ready", "waiting-partial", "waiting-overdue",
    "balance", "payouts", "entries", "performance-table", "pickup-result"]) $(id).replaceChildren();
  $("batch").hidden = $("pickup-result").hidden = true;
  state.performanceShown = false;
  state.me = null;
  $("console").hidden = $("logout").hidden = true;
  $("login").hidden = false;
  $("who").textContent = t("leader.intro");
  $("login-form").querySelector("[data-error]").textContent = message;
}

/** Check the saved token is an approved leader's, then show the console on firstTab ("show-tab"). */
export async function start(firstTab) {
  if (!token.get()) return showLogin();
  let me;
  try {
    me = await api("/me");
  } catch (error) {
    if (error.status === 403) {
      await store("/auth/logout", { method: "POST" }).catch(() => null);
      const reason = error.details?.reason ? t("leader.login.reason", { reason: error.details.reason }) : "";
      return showLogin(t("leader.login.not_leader", { message: error.message, reason }));
    }
    if (error.status !== 401) showBanner(error.message); // the store is unreachable: keep the session
    return undefined;
  }
  state.me = me;
  if (followAccountLocale(me)) return undefined; // reloading in the language saved on the account
  state.payoutTerms = me.payout_terms;
  $("who").textContent = t("leader.logged_in_as", { name: me.display_name });
  $("login").hidden = true;
  $("console").hidden = $("logout").hidden = false;
  emit("show-tab", firstTab);
  return undefined;
}

export function initSession(firstTab) {
  on("session-lost", showLogin);
  submit($("login-form"), async (fields, form) => {
    const issued = await store("/auth/login", { method: "POST", body: fields });
    token.set(issued.token);
    form.reset();
    await start(firstTab);
  });
  $("logout").addEventListener("click", async () => {
    await store("/auth/logout", { method: "POST" }).catch(() => null);
    showLogin();
    $("who").textContent = t("leader.logged_out");
  });
}
