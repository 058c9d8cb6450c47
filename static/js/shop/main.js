// The page a group link opens (/g/<code>): the group and its pickup point, joining, and the tabs
// of the shop (catalogue and sales, cart, orders, subscriptions, wallet). Plain ES modules.
import { $, onSubmit, tabs } from "../common.js";
import { renderCampaigns } from "./campaigns.js";
import { initCart } from "./cart.js";
import { initCatalogue, renderProducts } from "./catalogue.js";
import { api, clock, code, emit, on, report, state, token, when } from "./context.js";
import { renderOrders } from "./orders.js";
import { initSubscriptions, renderSubscriptions } from "./subscriptions.js";
import { initWallet, renderWallet } from "./wallet.js";

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

function renderGroup({ group, invited_by }) {
  document.title = group.name;
  $("group-name").textContent = group.name;
  const leader = group.leader ? `Leader: ${group.leader.display_name}` : "No leader at the moment";
  $("group-meta").textContent = [group.neighbourhood, leader, invited_by && `Invited by ${invited_by}`]
    .filter(Boolean).join(" · ");
  $("group-notice").textContent = group.notice || "";
  const point = group.pickup_point;
  $("pickup-address").textContent = `${point.name}, ${point.address}`;
  const table = $("pickup-hours");
  table.replaceChildren();
  WEEKDAYS.forEach((day, i) => {
    const periods = point.hours.filter((h) => h.weekday === i).map((h) => `${h.opens_at}–${h.closes_at}`);
    const row = table.insertRow();
    row.insertCell().textContent = day;
    row.insertCell().textContent = periods.join(", ") || "closed";
  });
  const closures = point.upcoming_closures.map((c) => c.date);
  $("pickup-closures").textContent = closures.length ? `Closed on ${closures.join(", ")}` : "";
}

async function renderNextPickup() {
  $("next-pickup").textContent = "";
  if (!state.inGroup) return;
  const next = await api("/pickup-schedule");
  state.nextPickupDate = next.pickup_date;
  $("next-pickup").textContent = `Order by ${when(next.order_cutoff, { weekday: "short", hour: "2-digit", minute: "2-digit" })} ` +
    `→ pick up on ${next.pickup_date}, ${clock(next.window_start)}–${clock(next.window_end)}`;
}

async function loadMe() {
  state.me = null;
  state.inGroup = false;
  state.member = null;
  if (!token.get()) return;
  try {
    state.me = await api("/me");
  } catch (error) {
    if (error.status !== 401) throw error;
    token.clear();
    return;
  }
  state.inGroup = state.me.group?.id === state.group.id;
  state.member = state.me.member;
}

function renderMembership() {
  $("join").hidden = $("logout").hidden = $("auth").hidden = true;
  $("join-error").textContent = "";
  const group = state.group;
  const status = $("member-status");
  status.className = "";
  if (!state.me) {
    status.textContent = "Register or log in to join this group and order for pickup.";
    $("auth").hidden = false;
    return;
  }
  $("logout").hidden = false;
  const mine = state.me.group;
  if (state.inGroup) {
    status.textContent = `Hi ${state.me.name}, you are a member of ${group.name}.`;
    status.className = "ok";
  } else {
    status.textContent = mine
      ? `Hi ${state.me.name}, you are in ${mine.name}. Joining moves you to ${group.name}.`
      : `Hi ${state.me.name}, join ${group.name} to order for pickup here.`;
    $("join").hidden = false;
  }
}

/** Everything that depends on who is logged in, redrawn after login, logout or joining. */
async function refreshSession() {
  await loadMe();
  renderMembership();
  emit("session");
}

on("session", () => Promise.all([renderNextPickup(), renderCampaigns(), renderProducts(), renderOrders(),
  renderSubscriptions(), renderWallet()]));

async function main() {
  const [landing, config] = await Promise.all([api(`/groups/${encodeURIComponent(code)}`), api("/client-config")]);
  state.group = landing.group;
  state.config = config;
  renderGroup(landing);
  const categories = await api("/categories");
  for (const c of categories) $("category").append(new Option(c.name, c.id));

  for (const [form, path] of [[$("register-form"), "/auth/register"], [$("login-form"), "/auth/login"]]) {
    onSubmit(form, async (body) => {
      const issued = await api(path, { method: "POST", body });
      token.set(issued.token);
      form.reset();
      await refreshSession();
    });
  }
  $("join").addEventListener("click", async () => {
    try {
      await api(`/groups/${encodeURIComponent(code)}/join`, { method: "POST" });
      await refreshSession();
    } catch (error) {
      $("join-error").textContent = error.message;
    }
  });
  $("logout").addEventListener("click", async () => {
    await api("/auth/logout", { method: "POST" }).catch(() => null);
    token.clear();
    await refreshSession();
  });
  // A tab shows what is true now (a wallet after an order, an order after the leader handed it over).
  const refreshers = { "tab-orders": renderOrders, "tab-subscriptions": renderSubscriptions, "tab-wallet": renderWallet };
  const showTab = tabs($("shop-tabs"), (name) => refreshers[name]?.().catch(report));
  on("show-tab", showTab);
  initCatalogue();
  initCart();
  initSubscriptions();
  initWallet();
  await refreshSession();
  // Come back to My orders after a card payment's redirect or a reload there.
  if (location.hash === "#orders") showTab("tab-orders");
}

main().catch((error) => {
  $("group-name").textContent = "Something went wrong";
  $("group-meta").textContent = error.message;
  report(error);
});
