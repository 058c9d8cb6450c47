// The web client's languages (zh-CN first, English second): t() looks a key up in the chosen
// language's catalogue, and the formatters show money, dates and times the way that language
// writes them, on the STORE's clock (client-config `timezone`), whatever the device's zone is.
// Both catalogues are loaded (a few dozen KB): switching needs no request. See docs/i18n.md.
import en from "./en.js";
import zhCN from "./zh-CN.js";

const CATALOGUES = { "zh-CN": zhCN, en };
export const LOCALES = Object.keys(CATALOGUES);
const SAVED = "locale"; // localStorage key (the i18n contract)

let current = "zh-CN";
let messages = zhCN;
let plurals = new Intl.PluralRules(current);
const store = { timezone: undefined, currency: "CNY" };

export const locale = () => current;

/** A supported locale for a BCP 47 tag ("zh", "zh-Hans-CN" → "zh-CN"; "en-GB" → "en"), else null. */
export function supported(tag) {
  if (typeof tag !== "string" || !tag) return null;
  const lower = tag.toLowerCase();
  if (lower.startsWith("zh")) return "zh-CN";
  if (lower === "en" || lower.startsWith("en-")) return "en";
  return null;
}

export function savedLocale() {
  try {
    return supported(localStorage.getItem(SAVED));
  } catch {
    return null; // storage blocked (private mode): the choice lasts for this page only
  }
}

/** Remember the choice on this device; false when the browser refuses to store it. */
export function saveLocale(tag) {
  try {
    localStorage.setItem(SAVED, tag);
    return localStorage.getItem(SAVED) === tag;
  } catch {
    return false;
  }
}

/** The contract's order: saved account locale > this device's choice > the browser > the store default. */
export function chooseLocale({ account = null, storeDefault = null } = {}) {
  const browser = (navigator.languages?.length ? navigator.languages : [navigator.language]).map(supported).find(Boolean);
  return supported(account) ?? savedLocale() ?? browser ?? supported(storeDefault) ?? "zh-CN";
}

export function setLocale(tag) {
  const chosen = supported(tag);
  if (!chosen) return false;
  current = chosen;
  messages = CATALOGUES[chosen];
  plurals = new Intl.PluralRules(chosen);
  formats.clear();
  document.documentElement.lang = chosen;
  return true;
}

/** The store's settings from client-config: times are shown in its zone, amounts in its currency. */
export function setStore({ timezone, currency } = {}) {
  if (timezone) store.timezone = timezone;
  if (currency) store.currency = currency;
  formats.clear();
}
export const storeCurrency = () => store.currency;

/**
 * The text of `key` with its {placeholders} filled from `params`. A plural entry is an object of
 * Intl.PluralRules categories ({one, other}) chosen by `params.count`. A missing key is a bug:
 * it is logged (the browser tests fail on console errors) and the key itself is shown.
 */
export function t(key, params = {}) {
  let text = messages[key];
  if (text === undefined) {
    console.error(`i18n: no "${key}" in ${current}`);
    return key;
  }
  if (typeof text === "object") {
    const count = Number(params.count ?? 0);
    text = text[`=${count}`] ?? text[plurals.select(count)] ?? text.other; // "=1": an exact number's own form
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (params[name] === undefined ? whole : String(params[name])));
}

/** Fill the page's fixed texts: data-i18n="key" sets the text, data-i18n-<attribute>="key" an attribute. */
export function translatePage(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const attribute of ["aria-label", "title", "placeholder", "alt"]) {
    for (const node of root.querySelectorAll(`[data-i18n-${attribute}]`)) {
      node.setAttribute(attribute, t(node.getAttribute(`data-i18n-${attribute}`)));
    }
  }
}

// Intl formatters are costly to build and the tables format hundreds of values: one per (kind, locale, zone).
const formats = new Map();
function format(kind, build) {
  if (!formats.has(kind)) formats.set(kind, build());
  return formats.get(kind);
}

// One date format per language ("2026年12月4日周五", "Fri, Dec 4, 2026"), 24-hour times.
const DATE = { year: "numeric", month: "short", day: "numeric", weekday: "short" };
const TIME = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };

function moneyFormat(currency) {
  return format(`money:${currency}`, () => new Intl.NumberFormat(current,
    { style: "currency", currency, currencyDisplay: "narrowSymbol" }));
}

/** Digits after the decimal point of the currency (2 for CNY, 0 for JPY). */
export function currencyDigits(currency = store.currency) {
  return moneyFormat(currency).resolvedOptions().maximumFractionDigits;
}

/** Integer minor units → "¥12.50" (¥, never "CN¥", in both languages). */
export function money(cents, currency = store.currency) {
  if (cents === null || cents === undefined) return "–";
  return moneyFormat(currency).format(cents / 10 ** currencyDigits(currency));
}

/** Whole units only ("¥50"), for chart axes and histogram buckets. */
export function wholeMoney(cents, currency = store.currency) {
  const whole = format(`whole:${currency}`, () => new Intl.NumberFormat(current,
    { style: "currency", currency, currencyDisplay: "narrowSymbol", maximumFractionDigits: 0, minimumFractionDigits: 0 }));
  return whole.format(cents / 10 ** currencyDigits(currency));
}

/** "12.50" typed in the currency's main unit → 1250 minor units; null when it is not a number. */
export function toMinor(text, currency = store.currency) {
  const value = Number.parseFloat(text);
  return Number.isFinite(value) ? Math.round(value * 10 ** currencyDigits(currency)) : null;
}

/** An instant (ISO 8601) as a date and 24-hour time on the store's clock. */
export function dateTime(iso) {
  if (!iso) return "–";
  return format("datetime", () => new Intl.DateTimeFormat(current, { ...DATE, ...TIME, timeZone: store.timezone }))
    .format(new Date(iso));
}

/** An instant's time of day on the store's clock ("23:00"). */
export function time(iso) {
  if (!iso) return "–";
  return format("time", () => new Intl.DateTimeFormat(current, { ...TIME, timeZone: store.timezone })).format(new Date(iso));
}

/** A calendar date (YYYY-MM-DD, already in store terms) or an instant's date on the store's clock. */
export function date(value) {
  if (!value) return "–";
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return format("day", () => new Intl.DateTimeFormat(current, { ...DATE, timeZone: "UTC" })).format(new Date(`${value}T00:00:00Z`));
  }
  return format("date", () => new Intl.DateTimeFormat(current, { ...DATE, timeZone: store.timezone })).format(new Date(value));
}

/** A month (YYYY-MM) as "2026年3月" / "Mar 2026". */
export function month(value) {
  if (!/^\d{4}-\d{2}$/.test(value ?? "")) return value ?? "–";
  return format("month", () => new Intl.DateTimeFormat(current, { year: "numeric", month: "short", timeZone: "UTC" }))
    .format(new Date(`${value}-01T00:00:00Z`));
}

/** A share (0.333) as "33.3%"; null as "–". */
export function percent(share) {
  return share === null || share === undefined ? "–" : `${(share * 100).toFixed(1)}%`;
}

/** Now (plus some minutes) as a datetime-local value (YYYY-MM-DDTHH:mm) on the store's clock. */
export function storeLocalInput(minutesFromNow = 0) {
  const at = new Date(Date.now() + minutesFromNow * 60_000);
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-GB", {
    timeZone: store.timezone, year: "numeric", month: "2-digit", day: "2-digit", ...TIME,
  }).formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** Today (YYYY-MM-DD) and this month (YYYY-MM) on the store's clock. */
export const storeToday = () => storeLocalInput().slice(0, 10);
export const storeMonth = () => storeLocalInput().slice(0, 7);
