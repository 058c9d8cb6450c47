// What every tab of the merchant dashboard shares: the admin API client with the staff token and
// the signed-in staff member. Formatting (money, dates on the store's clock) is common.js's.
import { client, tokenStore } from "../common.js";

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

// storeLocale: the store's own language (client-config), the one merchant content is written in.
export const state = { me: null, storeLocale: null };

/** Whether the signed-in staff member's role holds a permission (from GET /admin/me). The server
 * refuses regardless (403); hiding what the role may not do just keeps the screen honest. */
export function can(permission) {
  return Boolean(state.me?.permissions?.includes(permission));
}
