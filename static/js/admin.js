// The merchant dashboard: staff log in, then work through tabs (orders, campaigns, products and
// their translations, leader applications, delivery batches, payouts, analytics; for owners staff and the audit log), each
// shown only to a role that holds its permission (GET /admin/me). Each tab is a module in ./admin/ with
// init() (wire its forms once) and show() (load its data whenever it is opened).
import { $, followAccountLocale, keepsLocale, onSubmit, startPage, t, tabs } from "./common.js";
import * as aftersales from "./admin/aftersales.js";
import * as analytics from "./admin/analytics.js";
import * as audit from "./admin/audit.js";
import * as applications from "./admin/leaders.js";
import * as batches from "./admin/batches.js";
import * as campaigns from "./admin/campaigns.js";
import { api, can, onSignedOut, state, token } from "./admin/context.js";
import * as orders from "./admin/orders.js";
import * as payouts from "./admin/payouts.js";
import * as products from "./admin/products.js";
import * as routes from "./admin/routes.js";
import * as staff from "./admin/staff.js";
import * as stock from "./admin/stock.js";
import { notify, reportFailure } from "./admin/ui.js";

const TABS = { orders, campaigns, products, applications, batches, routes, aftersales, payouts, analytics, staff, stock, audit };

/** Show only what the role may do: every element naming a permission is hidden without it. */
function applyPermissions() {
  for (const node of document.querySelectorAll("[data-permission]")) node.hidden = !can(node.dataset.permission);
}

const allowedTabs = () => [...nav.querySelectorAll("[data-tab]")].filter((b) => !b.hidden).map((b) => b.dataset.tab);

function showTab(name) {
  // Roving focus: Tab reaches the selected tab only; arrows move between tabs.
  for (const b of nav.querySelectorAll("[data-tab]")) b.tabIndex = b.dataset.tab === name ? 0 : -1;
  $("notice").textContent = "";
  history.replaceState(null, "", `#${name}`);
  TABS[name].show().catch(reportFailure);
}

const nav = $("tabs");
const select = tabs(nav, showTab);

/** Arrow keys, Home and End move between tabs (the tabs pattern), Tab moves into the panel. */
nav.addEventListener("keydown", (event) => {
  const buttons = [...nav.querySelectorAll("[data-tab]")].filter((b) => !b.hidden);
  const at = buttons.indexOf(document.activeElement);
  if (at < 0) return;
  const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 }[event.key];
  if (to === undefined) return;
  event.preventDefault();
  const next = buttons[(to + buttons.length) % buttons.length];
  next.focus();
  next.click();
});

function showLogin() {
  $("dashboard").hidden = $("logout").hidden = true;
  $("who").textContent = "";
  $("login").hidden = false;
  $("login-form").querySelector("input").focus();
}

async function signedIn() {
  state.me = await api("/me");
  if (followAccountLocale(state.me)) return; // reloading in the language saved on the account
  $("who").textContent = t("admin.signed_in_as", { name: state.me.name });
  $("login").hidden = true;
  $("dashboard").hidden = $("logout").hidden = false;
  applyPermissions();
  const allowed = allowedTabs();
  const wanted = location.hash.slice(1);
  if (allowed.length) select(allowed.includes(wanted) ? wanted : allowed[0]);
  else notify(t("admin.nothing_allowed"), true);
}

/** Staff keep their language on their own account (PATCH /admin/me), where the server keeps one. */
async function saveToAccount(locale) {
  if (keepsLocale(state.me)) await api("/me", { method: "PATCH", body: { locale } });
}

async function main() {
  const config = await startPage({ saveToAccount });
  state.storeLocale = config.locale; // merchant content is written in it; translations go to the others
  for (const tab of Object.values(TABS)) tab.init();
  onSignedOut(() => {
    showLogin();
    notify(t("admin.session_ended"), true);
  });
  onSubmit($("login-form"), async (body, form) => {
    const issued = await api("/auth/login", { method: "POST", body });
    token.set(issued.token);
    form.reset();
    await signedIn();
  });
  $("logout").addEventListener("click", async () => {
    await api("/auth/logout", { method: "POST" }).catch(() => null);
    token.clear();
    state.me = null;
    showLogin();
  });
  if (token.get()) await signedIn().catch((error) => { if (error.status !== 401) throw error; });
  else showLogin();
}

main().catch((error) => {
  $("notice").textContent = t("admin.failed", { message: error.message });
  $("notice").className = "error";
  console.error(error);
});
