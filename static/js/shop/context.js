// What every part of the shop page shares: the store API client, the shopper's token, the group
// shown, the store's client configuration, and a tiny event bus so parts refresh each other.
import { client, tokenStore } from "../common.js";

export const token = tokenStore("storefront.token");
export const api = client("/api/v1/store", token);
export const code = decodeURIComponent(location.pathname.split("/").pop());

export const state = {
  group: null,        // the group this link opens
  config: { currency: "CNY", card_payments: false, stripe_publishable_key: null },
  me: null,           // the logged-in shopper, or null
  inGroup: false,     // the shopper is a member of this group (may order here)
  member: null,       // store membership (member zone, member prices), or null
  skus: new Map(),    // sku id -> {product, sku}: names for the cart and subscriptions
};

const listeners = new Map();
export function on(name, fn) {
  listeners.set(name, [...(listeners.get(name) || []), fn]);
}
export function emit(name, detail) {
  for (const fn of listeners.get(name) || []) Promise.resolve(fn(detail)).catch(report);
}

/** Unexpected failures go to the console as errors (the browser tests fail on any). */
export function report(error) {
  console.error(error);
}

/** A fresh idempotency key for one attempt at an action; a retry of the same attempt reuses it. */
export const newKey = () => crypto.randomUUID();

/** A time as the store's clock shows it: pickups and cut-offs happen there, wherever the phone is. */
export function when(iso, options = { dateStyle: "medium", timeStyle: "short" }) {
  return new Date(iso).toLocaleString(undefined, { timeZone: state.config.timezone, ...options });
}
export const clock = (iso) => when(iso, { hour: "2-digit", minute: "2-digit" });
