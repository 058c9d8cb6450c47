// Shared by the three pages of the reference client (shop, leader console, merchant dashboard):
// the JSON API client (bearer token per audience, Accept-Language of the chosen language), the
// page start (store config, language, the language menu), status labels, an event emitter, the
// formatters (re-exported from ./i18n/index.js) and small DOM helpers. Plain ES module; no build.
import {
  LOCALES, chooseLocale, locale, saveLocale, setLocale, setStore, supported, t, translatePage,
} from "./i18n/index.js";

export {
  currencyDigits, date, dateTime, locale, money, month, percent, storeLocalInput, storeMonth, storeToday, t,
  time, toMinor, wholeMoney,
} from "./i18n/index.js";

export const $ = (id) => document.getElementById(id);

/** A token kept in localStorage under a key of its own, so a merchant can also shop in one browser. */
export function tokenStore(key) {
  return {
    get: () => localStorage.getItem(key),
    set: (value) => localStorage.setItem(key, value),
    clear: () => localStorage.removeItem(key),
  };
}

/** The error the API returned, with its status and field details, as thrown by `client`. */
export class ApiError extends Error {
  constructor(status, message, details, code) {
    super(message);
    this.status = status;
    this.details = details;
    this.code = code;
  }
}

/**
 * A client for one API prefix ("/api/v1/store", "/api/v1/leader", "/api/v1/admin"). Every call
 * says which language the person reads (Accept-Language), so the API's messages come back in it.
 * A network failure becomes an ApiError with status 0, so forms show it instead of failing silently.
 */
const IF_MATCH = "if-match"; // a header name (lower case: fetch treats names alike)

export function client(prefix, token) {
  // The ETag of each address's last answer, sent back as If-Match when that address is changed:
  // the API refuses a change to something edited since it was read (412) or sent blind (428).
  const etags = new Map();
  async function request(path, { method = "GET", body, headers: extra = {}, raw = false } = {}) {
    const headers = { Accept: raw ? "*/*" : "application/json", "Accept-Language": locale(), ...extra };
    const changes = method === "PATCH" || method === "PUT";
    if (changes && etags.has(path) && !(IF_MATCH in headers)) headers[IF_MATCH] = etags.get(path);
    const form = body instanceof FormData; // a file upload: the browser writes its multipart boundary
    if (body !== undefined && !form) headers["Content-Type"] = "application/json";
    if (token.get()) headers.Authorization = `Bearer ${token.get()}`;
    let response;
    try {
      response = await fetch(prefix + path, { method, headers, body: body === undefined || form ? body : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, t("common.error.offline"));
    }
    if (response.ok && response.headers.get("ETag")) etags.set(path, response.headers.get("ETag"));
    if (raw && response.ok) return response;
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) {
      throw new ApiError(response.status, data?.error?.message || t("common.error.status", { status: response.status }),
        data?.error?.details, data?.error?.code);
    }
    return data;
  }
  return request;
}

const publicStore = client("/api/v1/store", { get: () => null });

/**
 * Start a page: read the store's settings (its default language, timezone and currency), choose
 * the language (see chooseLocale), fill the page's fixed texts and mount the language menu in
 * #language-switch. `saveToAccount(tag)` stores a new choice on the logged-in account, if any.
 */
export async function startPage({ saveToAccount } = {}) {
  setLocale(chooseLocale()); // so that the first request already says which language (without the store's default)
  let config = {};
  try {
    config = await publicStore("/client-config");
  } catch (error) {
    if (!(error instanceof ApiError)) throw error; // the page says so when its own calls fail
  }
  setStore(config);
  setLocale(chooseLocale({ storeDefault: config.locale }));
  translatePage();
  const mount = $("language-switch");
  if (mount) mount.replaceChildren(languageMenu(saveToAccount));
  return config;
}

// Each language is named in its own words, in both catalogues.
const LANGUAGE_NAMES = { "zh-CN": "common.language.zh", en: "common.language.en" };

/** A language the client has, named in its own words ("English", "简体中文"). */
export const languageName = (tag) => t(LANGUAGE_NAMES[tag]);

/** The languages merchant content may be translated into: every one the client has but `original`. */
export const otherLanguages = (original) => LOCALES.filter((tag) => tag !== (supported(original) ?? "zh-CN"));

function languageMenu(saveToAccount) {
  const select = el("select", "", { id: "language" });
  for (const tag of LOCALES) select.append(new Option(languageName(tag), tag, false, tag === locale()));
  const label = el("label", "", { class: "language" });
  label.append(el("span", t("common.language")), select);
  select.addEventListener("change", async () => {
    select.disabled = true;
    saveLocale(select.value);
    setLocale(select.value); // the account's PATCH already speaks the new language (Accept-Language)
    try {
      await saveToAccount?.(select.value);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error; // an older server without `locale`: this device keeps it
    }
    location.reload(); // every text on the page is drawn again in the new language
  });
  return label;
}

/** Whether the server keeps a language on accounts (its `me` has a `locale` field, null until chosen). */
export const keepsLocale = (me) => Boolean(me) && Object.hasOwn(me, "locale");

/** After logging in, a language saved on the account wins: the page reloads once in it (true then). */
export function followAccountLocale(me) {
  const wanted = keepsLocale(me) ? supported(me.locale) : null;
  if (!wanted || wanted === locale() || !saveLocale(wanted)) return false;
  location.reload();
  return true;
}

/** A tiny event bus so the parts of a page reach each other; a failing listener is reported. */
export function emitter(report = console.error) {
  const listeners = new Map();
  return {
    on(name, fn) { listeners.set(name, [...(listeners.get(name) || []), fn]); },
    emit(name, detail) { for (const fn of listeners.get(name) || []) Promise.resolve(fn(detail)).catch(report); },
  };
}

/** A fresh idempotency key for one attempt at an action; a retry of the same attempt reuses it. */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // crypto.randomUUID needs a secure context; a phone on the shop's LAN over plain http has none.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// The API's states in words, the same on every page. Keys are spelt out so the catalogue check
// can see each one is used (tests/web_i18n.py).
const LABELS = {
  order: {
    pending_payment: "status.order.pending_payment", deposit_paid: "status.order.deposit_paid",
    confirmed: "status.order.confirmed", paid: "status.order.paid", partially_refunded: "status.order.partially_refunded",
    refunded: "status.order.refunded", cancelled: "status.order.cancelled", expired: "status.order.expired",
  },
  fulfilment: {
    pending: "status.fulfilment.pending", scheduled: "status.fulfilment.scheduled",
    ready_for_pickup: "status.fulfilment.ready_for_pickup", partially_picked_up: "status.fulfilment.partially_picked_up",
    picked_up: "status.fulfilment.picked_up", uncollected: "status.fulfilment.uncollected",
    not_delivered: "status.fulfilment.not_delivered",
  },
  product: { draft: "status.product.draft", active: "status.product.active", archived: "status.product.archived" },
  batch: { open: "status.batch.open", closed: "status.batch.closed", dispatched: "status.batch.dispatched",
    arrived: "status.batch.arrived" },
  payout: { requested: "status.payout.requested", approved: "status.payout.approved", exported: "status.payout.exported",
    sending: "status.payout.sending", paid: "status.payout.paid", rejected: "status.payout.rejected" },
  provider: { bank_export: "status.provider.bank_export", stripe_connect: "status.provider.stripe_connect" },
  campaignKind: { flash_sale: "status.campaign_kind.flash_sale", pre_sale: "status.campaign_kind.pre_sale",
    group_buy: "status.campaign_kind.group_buy", member_day: "status.campaign_kind.member_day" },
  review: { draft: "status.review.draft", submitted: "status.review.submitted", approved: "status.review.approved",
    rejected: "status.review.rejected" },
  phase: { draft: "status.phase.draft", submitted: "status.phase.submitted", rejected: "status.phase.rejected",
    scheduled: "status.phase.scheduled", warming_up: "status.phase.warming_up", live: "status.phase.live",
    ended: "status.phase.ended" },
  outcome: { open: "status.outcome.open", reached: "status.outcome.reached", failed: "status.outcome.failed" },
  application: { pending: "status.application.pending", approved: "status.application.approved",
    rejected: "status.application.rejected" },
  subscription: { active: "status.subscription.active", paused: "status.subscription.paused",
    cancelled: "status.subscription.cancelled" },
  wallet: { top_up: "status.wallet.top_up", payment: "status.wallet.payment", refund: "status.wallet.refund",
    adjust: "status.wallet.adjust" },
  entry: { accrue: "status.entry.accrue", settle: "status.entry.settle", clawback: "status.entry.clawback",
    payout: "status.entry.payout" },
  bucket: { pending: "status.bucket.pending", available: "status.bucket.available",
    withdrawing: "status.bucket.withdrawing", paid_out: "status.bucket.paid_out" },
  priceRule: { regular: "status.price_rule.regular", member: "status.price_rule.member", tier: "status.price_rule.tier",
    subscription: "status.price_rule.subscription", member_day: "status.price_rule.member_day",
    flash_sale: "status.price_rule.flash_sale", pre_sale: "status.price_rule.pre_sale",
    group_buy: "status.price_rule.group_buy" },
  shortage: { missing: "status.shortage.missing", damaged: "status.shortage.damaged" },
  cash: { collected: "status.cash.collected", remitted: "status.cash.remitted", cash_refund: "status.cash.cash_refund",
    netted: "status.cash.netted", netting_reversed: "status.cash.netting_reversed" },
  cashRefundBy: { leader: "status.cash_refund_by.leader", wallet: "status.cash_refund_by.wallet" },
  aftersale: { awaiting_leader: "status.aftersale.awaiting_leader", awaiting_merchant: "status.aftersale.awaiting_merchant",
    refunded: "status.aftersale.refunded", replaced: "status.aftersale.replaced", rejected: "status.aftersale.rejected",
    withdrawn: "status.aftersale.withdrawn" },
  aftersaleReason: { quality: "status.aftersale_reason.quality", damaged: "status.aftersale_reason.damaged",
    missing: "status.aftersale_reason.missing", wrong_item: "status.aftersale_reason.wrong_item",
    expired: "status.aftersale_reason.expired", other: "status.aftersale_reason.other" },
  aftersaleEvent: { opened: "status.aftersale_event.opened", leader_confirmed: "status.aftersale_event.leader_confirmed",
    leader_disputed: "status.aftersale_event.leader_disputed", refund: "status.aftersale_event.refund",
    replace: "status.aftersale_event.replace", reject: "status.aftersale_event.reject",
    withdrawn: "status.aftersale_event.withdrawn" },
  po: { draft: "status.po.draft", sent: "status.po.sent", partly_received: "status.po.partly_received",
    received: "status.po.received", cancelled: "status.po.cancelled" },
};

/** A state of the API in words: label("order", "paid") → "已支付" / "Paid"; an unknown state as it is. */
export function label(kind, value) {
  const key = LABELS[kind]?.[value];
  return key ? t(key) : (value ?? "–");
}

/** The words a form shows for a field the API named: its label's text, else the field's name. */
function fieldName(form, field) {
  const control = form?.querySelector(`[name="${CSS.escape(field)}"]`);
  const text = control?.labels?.[0]?.querySelector("span")?.textContent ?? control?.labels?.[0]?.textContent;
  return text?.trim() || field;
}

/** Why a form was refused, in words: the API's message and the fields it named (as the form labels them). */
export function describeError(error, form = null) {
  const fields = error.details?.fields;
  const named = fields ? Object.values(fields).flatMap((f) => Object.keys(f)).map((name) => fieldName(form, name)) : [];
  return named.length ? t("common.error.fields", { message: error.message, fields: named.join(t("common.list_separator")) })
    : error.message;
}

/** An element with text content (never HTML: everything shown comes from users or the API). */
export function el(tag, content = "", attrs = {}) {
  const node = document.createElement(tag);
  if (content !== "" && content !== null && content !== undefined) node.textContent = content;
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, value === true ? "" : value);
  }
  return node;
}

/** A table from rows and [header, cell(row)] columns; a cell may return a string or a node. `empty`
 * says why there are no rows and what to do (a section's own words; a generic line otherwise). */
export function table(columns, rows, caption, empty = t("common.empty")) {
  const tableNode = el("table", "", { class: "data" });
  if (caption) tableNode.append(el("caption", caption));
  const head = tableNode.createTHead().insertRow();
  for (const [header] of columns) head.append(el("th", header, { scope: "col" }));
  const body = tableNode.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const [, cell] of columns) {
      const value = cell(row);
      const td = tr.insertCell();
      if (value instanceof Node) td.append(value); else td.textContent = value ?? "";
    }
  }
  if (!rows.length) {
    const td = body.insertRow().insertCell();
    td.colSpan = columns.length;
    td.textContent = empty;
    td.classList.add("muted", "empty");
  }
  return tableNode;
}

/** Submit handler for a form: its fields as a JSON body, errors shown in its [data-error] box. */
export function onSubmit(form, handler) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = form.querySelector("[data-error]");
    if (box) box.textContent = "";
    const body = Object.fromEntries([...new FormData(form)].filter(([, v]) => v !== ""));
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    try {
      await handler(body, form);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (box) box.textContent = describeError(error, form);
    } finally {
      if (button) button.disabled = false;
    }
  });
}

/** Download an authenticated CSV (fetch with the token, then save as a file). */
export async function download(request, path, filename) {
  const response = await request(path, { raw: true });
  const url = URL.createObjectURL(await response.blob());
  const link = el("a", "", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Tabs: buttons with data-tab="id" show the section of that id and hide the others (ARIA tabs). */
export function tabs(nav, onShow) {
  const buttons = [...nav.querySelectorAll("[data-tab]")];
  nav.setAttribute("role", "tablist");
  for (const b of buttons) {
    b.setAttribute("role", "tab");
    b.setAttribute("aria-controls", b.dataset.tab);
    $(b.dataset.tab).setAttribute("role", "tabpanel");
  }
  function show(name) {
    for (const b of buttons) {
      const selected = b.dataset.tab === name;
      b.setAttribute("aria-selected", String(selected));
      $(b.dataset.tab).hidden = !selected;
    }
    onShow?.(name);
  }
  for (const b of buttons) b.addEventListener("click", () => show(b.dataset.tab));
  return show;
}

/**
 * Ask before an irreversible action: a modal <dialog> (focus stays inside, Esc cancels) saying what
 * will happen. Resolves true only when the person presses the confirm button. `body` may be a node
 * (say, a field for an amount); `onConfirm` may throw an ApiError, shown in the dialog, which stays open.
 */
export function confirmAction({ title, message, confirm = t("common.confirm.ok"), body = null, onConfirm = null }) {
  return new Promise((resolve) => {
    const dialog = el("dialog", "", { class: "confirm", "aria-labelledby": "confirm-title", "aria-describedby": "confirm-message" });
    const form = el("form", "", { method: "dialog" });
    const error = el("p", "", { class: "error", role: "alert" });
    const yes = el("button", confirm, { type: "submit", "data-confirm": "" });
    const no = el("button", t("common.confirm.cancel"), { type: "button", class: "secondary", "data-cancel": "" });
    form.append(el("h3", title, { id: "confirm-title" }), el("p", message, { id: "confirm-message" }));
    if (body) form.append(body);
    form.append(error, el("div", "", { class: "actions" }));
    form.lastChild.append(no, yes);
    dialog.append(form);
    let answer = false;
    no.addEventListener("click", () => dialog.close());
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      yes.disabled = true;
      error.textContent = "";
      try {
        await onConfirm?.(form);
        answer = true;
        dialog.close();
      } catch (failure) {
        if (!(failure instanceof ApiError)) throw failure;
        error.textContent = describeError(failure, form);
      } finally {
        yes.disabled = false;
      }
    });
    dialog.addEventListener("close", () => { dialog.remove(); resolve(answer); });
    document.body.append(dialog);
    dialog.showModal();
    (form.querySelector("input") || no).focus(); // the safe choice has focus unless there is a field to fill
  });
}

/**
 * An image the API serves only with a token (after-sale photos): fetched with `request` (a `client`),
 * shown as a data: URL — the pages' CSP allows data: images, not blob: ones. A refusal leaves it empty.
 */
export function fetchedImage(request, path, attrs) {
  const img = el("img", "", attrs);
  request(path, { raw: true })
    .then((response) => response.blob())
    .then((blob) => new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(blob);
    }))
    .then((url) => { img.src = url; })
    .catch((error) => { if (!(error instanceof ApiError)) console.error(error); });
  return img;
}
