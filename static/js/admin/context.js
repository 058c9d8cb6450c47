// What every tab of the merchant dashboard shares: the admin API client with the staff token,
// the store's currency and timezone, and formatting in the store's terms.
import { client, money, tokenStore } from "../common.js";

export const token = tokenStore("storefront.staff-token");
const rawRequest = client("/api/v1/admin", token);
const signedOutListeners = [];

/** The admin API; a 401 (token revoked or expired) sends the page back to the login form. */
export async function api(path, options) {
  try {
    return await rawRequest(path, options);
  } catch (error) {
    if (error.status === 401 && token.get()) {
      token.clear();
      for (const fn of signedOutListeners) fn();
    }
    throw error;
  }
}

export function onSignedOut(fn) {
  signedOutListeners.push(fn);
}

export const state = {
  currency: "CNY",
  timezone: undefined, // the browser's until the store's is known
  me: null,
};

/** Store-wide settings every client may read before logging in (currency, timezone). */
export async function loadStoreConfig() {
  const config = await client("/api/v1/store", { get: () => null })("/client-config");
  state.currency = config.currency || state.currency;
  state.timezone = config.timezone || undefined;
}

export const fmtMoney = (cents) => (cents === null || cents === undefined ? "–" : money(cents, state.currency));

/** Digits after the decimal point in the store currency (2 for CNY, 0 for JPY). */
export function currencyDigits() {
  return new Intl.NumberFormat(undefined, { style: "currency", currency: state.currency })
    .resolvedOptions().maximumFractionDigits;
}

/** "12.50" in the store currency → 1250 minor units (null for an empty or invalid entry). */
export function toCents(text) {
  const value = Number.parseFloat(text);
  return Number.isFinite(value) ? Math.round(value * 10 ** currencyDigits()) : null;
}

export function fmtDateTime(iso) {
  if (!iso) return "–";
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", timeZone: state.timezone })
    .format(new Date(iso));
}

/** A calendar date (YYYY-MM-DD, already in store terms) shown without shifting it through a timezone. */
export function fmtDate(day) {
  if (!day) return "–";
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" }).format(new Date(`${day}T00:00:00Z`));
}

/** Now (plus some minutes) as a datetime-local value in the store's timezone. */
export function storeLocalInput(minutesFromNow = 0) {
  const when = new Date(Date.now() + minutesFromNow * 60_000);
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-GB", {
    timeZone: state.timezone, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(when).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** This month as YYYY-MM in the store's timezone. */
export function storeMonth() {
  return storeLocalInput().slice(0, 7);
}

/** Words for the API's snake_case states: "ready_for_pickup" → "ready for pickup". */
export const words = (value) => (value ? String(value).replaceAll("_", " ") : "–");
