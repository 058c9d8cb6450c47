// The page a group link opens (/g/<code>): the group and its pickup point, joining, and the shop
// laid out like a group-buying mini-program: bottom tabs (home: sales and the product grid; orders;
// me: invite poster, subscriptions, wallet), the cart as its own screen opened from the sticky cart
// bar. Plain ES modules, no build.
import { $, ApiError, date, dateTime, followAccountLocale, keepsLocale, onSubmit, startPage, t, time } from "../common.js";
import { initAppPay, resumeFromReturn } from "./apppay.js";
import { renderCampaigns } from "./campaigns.js";
import { initCart } from "./cart.js";
import { initCatalogue, renderProducts } from "./catalogue.js";
import { api, code, emit, on, report, state, token } from "./context.js";
import { renderOrders } from "./orders.js";
import { initSubscriptions, renderSubscriptions } from "./subscriptions.js";
import { initWallet, renderWallet } from "./wallet.js";
import { sharePoster } from "./share.js";

// The API numbers weekdays from 0 = Monday.
const WEEKDAYS = ["shop.pickup.mon", "shop.pickup.tue", "shop.pickup.wed", "shop.pickup.thu", "shop.pickup.fri",
  "shop.pickup.sat", "shop.pickup.sun"];

function renderGroup({ group, invited_by }) {
  document.title = group.name;
  $("group-name").textContent = group.name;
  const leader = group.leader ? t("shop.group.leader", { name: group.leader.display_name }) : t("shop.group.no_leader");
  $("group-meta").textContent = [group.neighbourhood, leader, invited_by && t("shop.group.invited_by", { name: invited_by })]
    .filter(Boolean).join(" · ");
  $("group-notice").textContent = group.notice || "";
  const point = group.pickup_point;
  $("pickup-address").textContent = `${point.name}, ${point.address}`;
  const table = $("pickup-hours");
  table.replaceChildren();
  WEEKDAYS.forEach((day, i) => {
    const periods = point.hours.filter((h) => h.weekday === i).map((h) => `${h.opens_at}–${h.closes_at}`);
    const row = table.insertRow();
    row.insertCell().textContent = t(day);
    row.insertCell().textContent = periods.join(", ") || t("shop.pickup.closed");
  });
  const closures = point.upcoming_closures.map((c) => date(c.date));
  $("pickup-closures").textContent = closures.length
    ? t("shop.pickup.closures", { dates: closures.join(t("common.list_separator")) }) : "";
}

async function renderNextPickup() {
  $("next-pickup").textContent = "";
  if (!state.inGroup) return;
  const next = await api("/pickup-schedule");
  state.nextPickupDate = next.pickup_date;
  $("next-pickup").textContent = t("shop.pickup.next", {
    cutoff: dateTime(next.order_cutoff), day: date(next.pickup_date),
    from: time(next.window_start), to: time(next.window_end),
  });
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

/** An invitation-only group takes no one through its public link: say how to get in instead of a Join that fails. */
function needsInvitation() {
  return state.group.admission_rule === "invitation_only" && !state.invitedBy;
}

function renderMembership() {
  $("join").hidden = $("logout").hidden = $("auth").hidden = true;
  $("join-error").textContent = "";
  $("invite").hidden = !state.inGroup;
  const invite = $("invite-only");
  invite.hidden = !needsInvitation() || state.inGroup;
  invite.textContent = state.group.leader
    ? t("shop.membership.invitation_only", { leader: state.group.leader.display_name })
    : t("shop.membership.invitation_only_no_leader");
  const group = state.group;
  const status = $("member-status");
  status.className = "";
  if (!state.me) {
    status.textContent = t("shop.membership.anonymous");
    $("auth").hidden = false;
    return;
  }
  $("logout").hidden = false;
  const mine = state.me.group;
  const name = state.me.name;
  if (state.inGroup) {
    status.textContent = t("shop.membership.member", { name, group: group.name });
    status.className = "ok";
  } else {
    if (needsInvitation()) {
      status.textContent = t("shop.membership.invitation_hello", { name });
      return;
    }
    status.textContent = mine ? t("shop.membership.moves", { name, current: mine.name, group: group.name })
      : t("shop.membership.join", { name, group: group.name });
    $("join").hidden = false;
  }
}

/** Everything that depends on who is logged in, redrawn after login, logout or joining. */
async function refreshSession() {
  await loadMe();
  if (followAccountLocale(state.me)) return; // reloading in the language saved on the account
  renderMembership();
  emit("session");
}

on("session", () => Promise.all([renderNextPickup(), renderCampaigns(), renderProducts(), renderOrders(),
  renderSubscriptions(), renderWallet()]));

/** The group's own poster: its name, pickup point and the next pickup day, with the shopper's link. */
function groupPoster() {
  const group = state.group;
  const point = group.pickup_point;
  const picture = [...state.skus.values()].find(({ product }) => product.image_urls?.length)?.product.image_urls[0];
  return {
    title: t("common.poster.group_title", { group: group.name }), image: picture,
    note: state.nextPickupDate ? t("common.poster.next_pickup", { day: date(state.nextPickupDate) }) : null,
    details: [group.leader ? t("shop.group.leader", { name: group.leader.display_name }) : null,
      t("common.poster.pickup_at", { point: `${point.name} ${point.address}` })].filter(Boolean),
  };
}

// The screens: three bottom tabs, and the cart (opened from the cart bar) as a fourth screen.
const SCREENS = ["tab-shop", "tab-cart", "tab-orders", "tab-me"];

function initTabs() {
  const nav = $("shop-tabs");
  const buttons = [...nav.querySelectorAll("[data-tab]")];
  nav.setAttribute("role", "tablist");
  for (const b of buttons) {
    b.setAttribute("role", "tab");
    b.setAttribute("aria-controls", b.dataset.tab);
  }
  // A tab shows what is true now (a wallet after an order, an order after the leader handed it over).
  const refreshers = { "tab-orders": () => renderOrders(),
    "tab-me": () => Promise.all([renderSubscriptions(), renderWallet()]) };
  function show(name) {
    for (const screen of SCREENS) $(screen).hidden = screen !== name;
    for (const b of buttons) b.setAttribute("aria-selected", String(b.dataset.tab === name));
    $("cart-bar").hidden = name === "tab-cart";
    refreshers[name]?.().catch(report);
    window.scrollTo(0, 0);
  }
  for (const b of buttons) b.addEventListener("click", () => show(b.dataset.tab));
  $("cart-checkout").addEventListener("click", () => show("tab-cart"));
  on("show-tab", show);
}

/** A new language choice is kept on the shopper's account too, where the server keeps one. */
async function saveToAccount(locale) {
  if (keepsLocale(state.me)) await api("/me", { method: "PATCH", body: { locale } });
}

async function main() {
  // Both at once: startPage has chosen the language (for Accept-Language) before its first await.
  const [config, landing] = await Promise.all([startPage({ saveToAccount }), api(`/groups/${encodeURIComponent(code)}`)]);
  state.config = { ...state.config, ...config };
  state.group = landing.group;
  state.invitedBy = landing.invited_by;
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
    $("join").disabled = true;
    try {
      await api(`/groups/${encodeURIComponent(code)}/join`, { method: "POST" });
      await refreshSession();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      $("join-error").textContent = error.message;
    } finally {
      $("join").disabled = false;
    }
  });
  $("invite-poster").addEventListener("click", () => sharePoster(groupPoster(), $("invite-error")));
  $("logout").addEventListener("click", async () => {
    await api("/auth/logout", { method: "POST" }).catch(() => null);
    token.clear();
    await refreshSession();
  });
  initTabs();
  initCatalogue();
  initCart();
  initSubscriptions();
  initWallet();
  initAppPay();
  await refreshSession();
  // Back from Alipay (/?order=<id>#orders or /?top_up=<id>#wallet, sent on here by the home page):
  // wait for that order's or top-up's payment.
  if (state.me) resumeFromReturn();
  // Come back to My orders (or the wallet) after a card payment's redirect or a reload there.
  if (location.hash === "#orders") emit("show-tab", "tab-orders");
  if (location.hash === "#wallet") emit("show-tab", "tab-me");
}

main().catch((error) => {
  $("group-name").textContent = t("shop.failed");
  $("group-meta").textContent = error.message;
  report(error);
});
