// What every part of the shop page shares: the store API client, the shopper's token, the group
// shown, the store's client configuration, and the event bus so parts refresh each other.
import { client, emitter, tokenStore } from "../common.js";

export const token = tokenStore("storefront.token");
export const api = client("/api/v1/store", token);
export const code = decodeURIComponent(location.pathname.split("/").pop());

export const state = {
  group: null,        // the group this link opens
  config: { currency: "CNY", card_payments: false, stripe_publishable_key: null },
  me: null,           // the logged-in shopper, or null
  inGroup: false,     // the shopper is a member of this group (may order here)
  member: null,       // store membership (member zone, member prices), or null
  invitedBy: null,    // the name of the personal link's owner (an invitation), or null
  wallet: null,       // the shopper's wallet while a cart is priced: the wallet is offered only if it covers it
  skus: new Map(),    // sku id -> {product, sku}: names for the cart and subscriptions
};

/** Unexpected failures go to the console as errors (the browser tests fail on any). */
export function report(error) {
  console.error(error);
}

export const { on, emit } = emitter(report);
