// The page a group link opens: the group, its pickup point, joining, and the catalogue.
// Plain ES module on top of the public JSON API; no build step.
const API = "/api/v1/store";
const code = decodeURIComponent(location.pathname.split("/").pop());
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const $ = (id) => document.getElementById(id);

const token = {
  get: () => localStorage.getItem("storefront.token"),
  set: (t) => localStorage.setItem("storefront.token", t),
  clear: () => localStorage.removeItem("storefront.token"),
};

async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token.get()) headers.Authorization = `Bearer ${token.get()}`;
  const response = await fetch(API + path, { method, headers, body: body && JSON.stringify(body) });
  const data = response.status === 204 ? null : await response.json();
  if (!response.ok) {
    const error = new Error(data?.error?.message || response.statusText);
    error.status = response.status;
    error.details = data?.error?.details;
    throw error;
  }
  return data;
}

function money(cents, currency) {
  const format = new Intl.NumberFormat(undefined, { style: "currency", currency });
  const digits = format.resolvedOptions().maximumFractionDigits;
  return format.format(cents / 10 ** digits);
}

function text(tag, content, className) {
  const el = document.createElement(tag);
  el.textContent = content;
  if (className) el.className = className;
  return el;
}

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

async function renderMembership(group) {
  $("join").hidden = $("logout").hidden = $("auth").hidden = true;
  $("join-error").textContent = "";
  if (!token.get()) {
    $("member-status").textContent = "Register or log in to join this group and order for pickup.";
    $("auth").hidden = false;
    return;
  }
  let me;
  try {
    me = await api("/me");
  } catch (error) {
    if (error.status === 401) { token.clear(); return renderMembership(group); }
    throw error;
  }
  $("logout").hidden = false;
  const mine = me.group;
  if (mine && mine.id === group.id) {
    $("member-status").textContent = `Hi ${me.name}, you are a member of ${group.name}.`;
    $("member-status").className = "ok";
  } else {
    $("member-status").textContent = mine
      ? `Hi ${me.name}, you are in ${mine.name}. Joining moves you to ${group.name}.`
      : `Hi ${me.name}, join ${group.name} to order for pickup here.`;
    $("join").hidden = false;
  }
}

async function renderProducts(form) {
  const params = new URLSearchParams();
  for (const [key, value] of new FormData(form)) if (value) params.set(key, value);
  params.set("page_size", "50");
  const products = await api(`/groups/${encodeURIComponent(code)}/products?${params}`);
  const list = $("products");
  list.replaceChildren();
  if (!products.length) list.append(text("p", "No products match.", "muted"));
  for (const product of products) {
    const card = text("article", "", "card");
    card.append(text("h3", product.name));
    for (const sku of product.skus) {
      const line = text("p", `${sku.name} `);
      line.append(text("span", money(sku.price_cents, sku.currency), "price"));
      if (sku.compare_at_price_cents) line.append(text("span", money(sku.compare_at_price_cents, sku.currency), "was"));
      line.append(text("span", sku.stock_available > 0 ? ` · ${sku.stock_available} left` : " · sold out", "muted"));
      card.append(line);
    }
    list.append(card);
  }
}

function bindAuthForm(form, path) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = Object.fromEntries([...new FormData(form)].filter(([, v]) => v));
    const errorBox = form.querySelector("[data-error]");
    errorBox.textContent = "";
    try {
      const issued = await api(path, { method: "POST", body });
      token.set(issued.token);
      await renderMembership(state.group);
    } catch (error) {
      const fields = error.details?.fields?.json;
      errorBox.textContent = fields ? `${error.message}: ${Object.keys(fields).join(", ")}` : error.message;
    }
  });
}

const state = {};

async function main() {
  const landing = await api(`/groups/${encodeURIComponent(code)}`);
  state.group = landing.group;
  renderGroup(landing);
  const categories = await api("/categories");
  for (const c of categories) $("category").append(new Option(c.name, c.id));
  bindAuthForm($("register-form"), "/auth/register");
  bindAuthForm($("login-form"), "/auth/login");
  $("join").addEventListener("click", async () => {
    try {
      await api(`/groups/${encodeURIComponent(code)}/join`, { method: "POST" });
      await renderMembership(state.group);
    } catch (error) {
      $("join-error").textContent = error.message;
    }
  });
  $("logout").addEventListener("click", async () => {
    await api("/auth/logout", { method: "POST" }).catch(() => null);
    token.clear();
    await renderMembership(state.group);
  });
  $("filter-form").addEventListener("submit", (event) => {
    event.preventDefault();
    renderProducts(event.target);
  });
  await Promise.all([renderMembership(state.group), renderProducts($("filter-form"))]);
}

main().catch((error) => {
  $("group-name").textContent = "Something went wrong";
  $("group-meta").textContent = error.message;
});
