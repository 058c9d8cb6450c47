// Shared by the three pages of the reference client (shop, leader console, merchant dashboard):
// a JSON API client with a bearer token kept per audience, formatting, and small DOM helpers.
// Plain ES module; no build step.

export const $ = (id) => document.getElementById(id);

/** A token kept in localStorage under a key of its own, so a merchant can also shop in one browser. */
export function tokenStore(key) {
  return {
    get: () => localStorage.getItem(key),
    set: (t) => localStorage.setItem(key, t),
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

/** A client for one API prefix ("/api/v1/store", "/api/v1/leader", "/api/v1/admin"). */
export function client(prefix, token) {
  async function request(path, { method = "GET", body, headers: extra = {}, raw = false } = {}) {
    const headers = { Accept: raw ? "*/*" : "application/json", ...extra };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token.get()) headers.Authorization = `Bearer ${token.get()}`;
    const response = await fetch(prefix + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (raw && response.ok) return response;
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, data?.error?.message || response.statusText, data?.error?.details, data?.error?.code);
    return data;
  }
  return request;
}

/** Why a form was refused, in words: the API's message and the fields it named. */
export function describeError(error) {
  const fields = error.details?.fields;
  const named = fields ? Object.values(fields).flatMap((f) => Object.keys(f)) : [];
  return named.length ? `${error.message}: ${named.join(", ")}` : error.message;
}

export function money(cents, currency = "CNY") {
  const format = new Intl.NumberFormat(undefined, { style: "currency", currency });
  const digits = format.resolvedOptions().maximumFractionDigits;
  return format.format(cents / 10 ** digits);
}

export function percent(share) {
  return share === null || share === undefined ? "–" : `${(share * 100).toFixed(1)}%`;
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

/** A table from rows and [header, cell(row)] columns; a cell may return a string or a node. */
export function table(columns, rows, caption) {
  const t = el("table", "", { class: "data" });
  if (caption) t.append(el("caption", caption));
  const head = t.createTHead().insertRow();
  for (const [header] of columns) head.append(el("th", header, { scope: "col" }));
  const body = t.createTBody();
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
    td.textContent = "Nothing here yet.";
    td.className = "muted";
  }
  return t;
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
      if (box) box.textContent = describeError(error);
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
