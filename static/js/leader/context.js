// What every part of the leader console shares: the API clients and the leader's token, the page
// state, a tiny event bus so parts reach each other, and the helpers for errors, forms and figures.
import { $, ApiError, client, describeError, money, onSubmit, table, tokenStore } from "../common.js";

export const token = tokenStore("storefront.leader-token");
export const state = { currency: "CNY", batch: null, entriesPage: 1, payoutKey: null, performanceShown: false };

export const FULFILMENT = {
  pending: "Not yet paid", scheduled: "On its way", ready_for_pickup: "Ready for pickup",
  partially_picked_up: "Partly collected", picked_up: "Collected", uncollected: "Not collected in time",
  not_delivered: "Not delivered",
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

/** A network failure as an ApiError with status 0, so forms show it instead of failing silently. */
function reachable(request) {
  return async (path, options) => {
    try {
      return await request(path, options);
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw new ApiError(0, "Could not reach the store; check the connection and try again");
    }
  };
}

export const store = reachable(client("/api/v1/store", token)); // leaders log in (and out) as the shoppers they are
const leaderApi = reachable(client("/api/v1/leader", token));

/** Every leader API call: a lost session sends the leader back to the login form ("session-lost"). */
export async function api(path, options) {
  try {
    return await leaderApi(path, options);
  } catch (error) {
    if (error.status === 401) emit("session-lost", "Your session has expired; please log in again.");
    throw error;
  }
}

/** The API's message with the figures it sent along (amount due, minimum, lock time…). */
export function explain(error) {
  const d = error.details || {};
  const facts = [];
  if (d.amount_due_cents !== undefined) facts.push(`amount due ${money(d.amount_due_cents, state.currency)}`);
  if (d.minimum_cents !== undefined) facts.push(`minimum ${money(d.minimum_cents, state.currency)}`);
  if (d.available_cents !== undefined) facts.push(`available ${money(d.available_cents, state.currency)}`);
  if (d.fee_cents !== undefined) facts.push(`fee ${money(d.fee_cents, state.currency)}`);
  if (d.locked_until) facts.push(`locked until ${when(d.locked_until)}`);
  if (d.fulfilment) facts.push(`the order is: ${FULFILMENT[d.fulfilment] || d.fulfilment}`);
  const text = describeError(error);
  return facts.length ? `${text} (${facts.join("; ")})` : text;
}

/** onSubmit, with the API's figures in the error shown under the form. */
export function submit(form, handler) {
  onSubmit(form, async (body, f) => {
    try {
      await handler(body, f);
    } catch (error) {
      if (error instanceof ApiError) throw new ApiError(error.status, explain(error));
      throw error;
    }
  });
}

/** Run a loader, showing its failure in a box rather than as an uncaught error. */
export async function guarded(box, load) {
  box.textContent = "";
  try {
    await load();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status !== 401) box.textContent = explain(error);
  }
}

/** A fresh idempotency key for one attempt at an action; a retry of the same attempt reuses it. */
export function idempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // crypto.randomUUID needs a secure context; a phone on the shop's LAN over plain http has none.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function toCents(value) {
  const format = new Intl.NumberFormat(undefined, { style: "currency", currency: state.currency });
  return Math.round(Number(value) * 10 ** format.resolvedOptions().maximumFractionDigits);
}

export const day = (iso) => new Date(`${iso}T00:00:00`).toLocaleDateString(undefined,
  { weekday: "short", month: "short", day: "numeric" });
export const when = (iso) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "–");
export const stamp = (iso) => (iso ? new Date(iso).toLocaleString(undefined,
  { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }) : "–");
export const cash = (cents) => money(cents, state.currency);

/** table() from common.js, each cell labelled with its column so a phone can show rows as cards. */
export function cards(columns, rows, caption) {
  const t = table(columns, rows, caption);
  t.classList.add("stack");
  const headers = columns.map(([header]) => header);
  for (const row of t.tBodies[0].rows) {
    if (row.cells.length === headers.length) [...row.cells].forEach((cell, i) => { cell.dataset.label = headers[i]; });
  }
  return t;
}

/** The line above the console for news from the store or from Stripe; empty hides it. */
export function showBanner(message) {
  $("banner").textContent = message;
  $("banner").hidden = !message;
}
