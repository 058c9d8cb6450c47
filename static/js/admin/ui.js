// Small widgets the dashboard's tabs share: numeric tables, paged lists, action buttons, the
// inline "reason" form for rejections, CSV buttons and the page-wide status line.
import { $, ApiError, describeError, download, el, t, table } from "../common.js";
import { api } from "./context.js";

/** Tell the user what just happened (or went wrong) in the dashboard's live region. */
export function notify(message, isError = false) {
  const box = $("notice");
  box.textContent = message;
  box.className = isError ? "error" : "ok";
}

/** An API failure becomes a message; anything else is a bug and goes to the console. */
export function reportFailure(error) {
  if (error instanceof ApiError) notify(describeError(error), true);
  else console.error(error);
}

/**
 * common.table with alignment and a phone layout: a column is [header, cell(row)] or
 * [header, cell(row), "num"] for right-aligned figures. Unless `stack` is false, each row becomes a
 * card of "header: value" lines on narrow screens (explicit roles keep it a table for screen readers).
 * `empty` is the section's own words for no rows: why it is empty and what to do (a generic
 * "nothing here" leaves a merchant guessing whether the filter, the day or the store is the cause).
 */
export function dataTable(columns, rows, caption, { stack = true, empty } = {}) {
  const t = table(columns.map(([h, cell]) => [h, cell]), rows, caption, empty);
  const headers = [...t.tHead.rows[0].cells];
  columns.forEach(([, , kind], i) => { if (kind === "num") headers[i].classList.add("num"); });
  for (const row of t.tBodies[0].rows) {
    if (row.cells.length !== columns.length) continue; // the "nothing here yet" row
    [...row.cells].forEach((cell, i) => {
      if (columns[i][2] === "num") cell.classList.add("num");
      if (stack) cell.dataset.label = columns[i][0];
    });
  }
  if (stack) {
    t.classList.add("stack");
    t.setAttribute("role", "table");
    for (const group of [t.tHead, ...t.tBodies]) group.setAttribute("role", "rowgroup");
    for (const row of t.rows) {
      row.setAttribute("role", "row");
      for (const cell of row.cells) cell.setAttribute("role", cell.tagName === "TH" ? "columnheader" : "cell");
    }
  }
  const wrap = el("div", "", { class: "scroll" });
  wrap.append(t);
  return wrap;
}

/** A button that runs an async action once at a time; API failures are shown, not thrown. */
export function actionButton(text, action, { label, secondary = false } = {}) {
  const button = el("button", text, { type: "button", class: secondary ? "secondary small" : "small", "aria-label": label });
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await action(button);
    } catch (error) {
      reportFailure(error);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

/** Buttons side by side in a table cell. */
export function actions(...buttons) {
  const cell = el("div", "", { class: "actions" });
  cell.append(...buttons.filter(Boolean));
  return cell;
}

/**
 * An inline form asking why (rejections): shown in `mount`, focused, and removed when sent or
 * cancelled. `send(reason)` does the API call; its error stays in the form.
 */
export function askReason(mount, { title, button = t("admin.reject"), send }) {
  const form = el("form", "", { class: "card reason" });
  const input = el("input", "", { name: "reason", required: true, maxlength: "300", autocomplete: "off" });
  const label = el("label", title);
  label.append(input);
  const error = el("p", "", { class: "error", role: "alert" });
  const cancel = el("button", t("admin.cancel"), { type: "button", class: "secondary", onclick: () => form.remove() });
  const row = el("div", "", { class: "row" });
  row.append(el("button", button, { type: "submit" }), cancel);
  form.append(label, row, error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      await send(input.value.trim());
      form.remove();
    } catch (failure) {
      if (!(failure instanceof ApiError)) throw failure;
      error.textContent = describeError(failure, form);
    }
  });
  form.addEventListener("keydown", (event) => { if (event.key === "Escape") form.remove(); });
  mount.replaceChildren(form);
  input.focus();
}

/** A "Download CSV" button for an authenticated CSV path (both given as functions: read when clicked). */
export function csvButton(path, filename, what, text = null) {
  return actionButton(text ?? t("admin.csv"), () => download(api, path(), filename()),
    { label: text ? undefined : t("admin.csv_of", { what }), secondary: true });
}

/** Query parameters from an object, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== "" && value !== null && value !== undefined) search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : "";
}

/**
 * A list read page by page: `fetchPage(page, size)` returns items, `render(items)` a node; a
 * "Show more" button appears while the last page came back full.
 */
export function pagedList(mount, { fetchPage, render, size = 20, what }) {
  let items = [];
  let page = 0;
  let more = null; // made on first use: lists are declared before the page's language is chosen

  async function next() {
    page += 1;
    const batch = await fetchPage(page, size);
    items = items.concat(batch);
    // `what()` names the items in the current language ("orders" → "订单") for the button's label.
    more ??= el("button", t("admin.more"), { type: "button", class: "secondary", "aria-label": t("admin.more_of", { what: what() }),
      onclick: () => next().catch(reportFailure) });
    more.hidden = batch.length < size;
    mount.replaceChildren(render(items), more);
  }
  return {
    reload: () => { items = []; page = 0; return next(); },
    get items() { return items; },
  };
}

/** A label and value pair for a figures strip. */
export function figure(label, value) {
  const box = el("div", "", { class: "figure" });
  box.append(el("span", label, { class: "muted" }), el("strong", value));
  return box;
}
