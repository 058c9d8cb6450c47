// What every part of the leader console shares: the API clients and the leader's token, the page
// state, the event bus so parts reach each other, and the helpers for errors, forms and figures.
// Dates and times are shown on the store's clock (startPage reads it from client-config).
import { $, ApiError, client, dateTime, describeError, emitter, label, money, onSubmit, t, table, tokenStore } from "../common.js";

export const token = tokenStore("storefront.leader-token");
export const state = { batch: null, entriesPage: 1, payoutKey: null, performanceShown: false, me: null, account: null };

/** Unexpected failures go to the console as errors (the browser tests fail on any). */
export function report(error) {
  console.error(error);
}

export const { on, emit } = emitter(report);

export const store = client("/api/v1/store", token); // leaders log in (and out) as the shoppers they are
const leaderApi = client("/api/v1/leader", token);

/** Every leader API call: a lost session sends the leader back to the login form ("session-lost"). */
export async function api(path, options) {
  try {
    return await leaderApi(path, options);
  } catch (error) {
    if (error.status === 401) emit("session-lost", t("leader.session_expired"));
    throw error;
  }
}

/** The API's message with the figures it sent along (amount due, minimum, lock time…). */
export function explain(error) {
  const d = error.details || {};
  const facts = [];
  if (d.amount_due_cents !== undefined) facts.push(t("leader.fact.amount_due", { amount: cash(d.amount_due_cents) }));
  if (d.minimum_cents !== undefined) facts.push(t("leader.fact.minimum", { amount: cash(d.minimum_cents) }));
  if (d.available_cents !== undefined) facts.push(t("leader.fact.available", { amount: cash(d.available_cents) }));
  if (d.fee_cents !== undefined) facts.push(t("leader.fact.fee", { amount: cash(d.fee_cents) }));
  if (d.locked_until) facts.push(t("leader.fact.locked_until", { when: dateTime(d.locked_until) }));
  if (d.fulfilment) facts.push(t("leader.fact.fulfilment", { state: label("fulfilment", d.fulfilment) }));
  const text = describeError(error);
  return facts.length ? t("leader.fact.with_facts", { message: text, facts: facts.join(t("leader.fact.separator")) }) : text;
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

export const cash = (cents) => money(cents);

/** table() from common.js, each cell labelled with its column so a phone can show rows as cards. */
export function cards(columns, rows, caption, empty) {
  const tableNode = table(columns, rows, caption, empty);
  tableNode.classList.add("stack");
  const headers = columns.map(([header]) => header);
  for (const row of tableNode.tBodies[0].rows) {
    if (row.cells.length === headers.length) [...row.cells].forEach((cell, i) => { cell.dataset.label = headers[i]; });
  }
  return tableNode;
}

/** The line above the console for news from the store or from Stripe; empty hides it. */
export function showBanner(message) {
  $("banner").textContent = message;
  $("banner").hidden = !message;
}
