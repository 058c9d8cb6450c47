// Share posters (海报): a picture a person can post in a chat — the product or group picture, the
// name, the price, a countdown or progress line, and a QR code of the link. Drawn on a canvas in
// the browser, where the phone's CJK fonts are (no font to ship, no server rendering), and saved
// as PNG. Used by the shop page (a shopper's personal link) and the leader console (the leader's link).
import { el, t } from "./common.js";

const W = 750;
const H = 1210;
const FAMILY = "sans-serif"; // the system's CJK fallback draws the Chinese (Noto CJK / PingFang)
const ACCENT = "#d9480f";
const font = (weight, size) => `${weight} ${size}px ${FAMILY}`;

/** An image that may be drawn on a canvas and still be exported (same origin, or CORS allowed). */
function loadImage(url) {
  return new Promise((resolve) => {
    if (!url) { resolve(null); return; }
    const img = new Image();
    // A picture from another origin without CORS would taint the canvas (no PNG): draw without it.
    if (new URL(url, location.href).origin !== location.origin) img.crossOrigin = "anonymous";
    img.onload = () => resolve(img);
    img.onerror = () => resolve(null);
    img.src = url;
  });
}

/** Lines of at most `width` pixels; Chinese breaks between any two characters, English between words. */
function wrap(ctx, text, width, maxLines) {
  const tokens = text.match(/[A-Za-z0-9.,'’¥%-]+\s*|\s+|./gu) ?? [];
  const lines = [""];
  for (const token of tokens) {
    const tryLine = lines[lines.length - 1] + token;
    if (ctx.measureText(tryLine.trimEnd()).width <= width || !lines[lines.length - 1]) lines[lines.length - 1] = tryLine;
    else lines.push(token.trimStart());
  }
  const kept = lines.slice(0, maxLines).map((line) => line.trim());
  if (lines.length > maxLines) kept[maxLines - 1] = `${kept[maxLines - 1].slice(0, -1)}…`;
  return kept;
}

function cover(ctx, img, x, y, w, h) {
  const scale = Math.max(w / img.naturalWidth, h / img.naturalHeight);
  const sw = w / scale;
  const sh = h / scale;
  ctx.drawImage(img, (img.naturalWidth - sw) / 2, (img.naturalHeight - sh) / 2, sw, sh, x, y, w, h);
}

/** The QR code of `text`, drawn module by module (crisp at any size) with its quiet zone. */
function drawQr(ctx, text, x, y, size) {
  const qr = window.qrcode(0, "M");
  qr.addData(text);
  qr.make();
  const count = qr.getModuleCount();
  const cell = Math.floor(size / (count + 8));
  const side = cell * (count + 8);
  ctx.fillStyle = "#fff";
  ctx.fillRect(x, y, side, side);
  ctx.fillStyle = "#000";
  for (let r = 0; r < count; r += 1) {
    for (let c = 0; c < count; c += 1) if (qr.isDark(r, c)) ctx.fillRect(x + (c + 4) * cell, y + (r + 4) * cell, cell, cell);
  }
  return side;
}

function drawPicture(ctx, img, title) {
  ctx.fillStyle = "#fff0e6";
  ctx.fillRect(30, 140, W - 60, 500);
  if (img) cover(ctx, img, 30, 140, W - 60, 500);
  else {
    ctx.fillStyle = ACCENT;
    ctx.font = font(700, 200);
    ctx.textAlign = "center";
    ctx.fillText(title.match(/[\p{L}\p{N}]/u)?.[0] ?? "", W / 2, 470); // a letter, not the 「 of a title
    ctx.textAlign = "left";
  }
}

function drawPrice(ctx, price, was, y) {
  if (!price) return y;
  ctx.fillStyle = ACCENT;
  ctx.font = font(700, 64);
  ctx.fillText(price, 40, y + 60);
  if (was) {
    const x = 60 + ctx.measureText(price).width;
    ctx.fillStyle = "#868e96";
    ctx.font = font(400, 32);
    ctx.fillText(was, x, y + 60);
    ctx.fillRect(x, y + 48, ctx.measureText(was).width, 3);
  }
  return y + 90;
}

/**
 * Draw a poster on a new canvas. `poster`: {brand, title, price, was, note, details[], image, link}.
 * Resolves with the canvas once the picture has loaded (or failed: then the title's first character).
 */
export async function drawPoster(poster) {
  const canvas = el("canvas", "", { width: W, height: H });
  const ctx = canvas.getContext("2d");
  const img = await loadImage(poster.image);
  ctx.fillStyle = "#fff8f3";
  ctx.fillRect(0, 0, W, H);
  ctx.fillStyle = ACCENT;
  ctx.fillRect(0, 0, W, 110);
  ctx.fillStyle = "#fff";
  ctx.font = font(700, 40);
  ctx.fillText(wrap(ctx, poster.brand ?? "", W - 80, 1)[0] ?? "", 40, 70);
  drawPicture(ctx, img, poster.title);
  ctx.fillStyle = "#1d2327";
  ctx.font = font(700, 44);
  let y = 700;
  for (const line of wrap(ctx, poster.title, W - 80, 2)) { ctx.fillText(line, 40, y); y += 56; }
  y = drawPrice(ctx, poster.price, poster.was, y - 20);
  ctx.font = font(600, 30);
  for (const line of [poster.note, ...(poster.details ?? [])].filter(Boolean)) {
    ctx.fillStyle = line === poster.note ? ACCENT : "#5f6b73";
    for (const part of wrap(ctx, line, 400, 2)) { ctx.fillText(part, 40, y + 20); y += 40; }
  }
  const side = drawQr(ctx, poster.link, W - 290, H - 320, 260);
  ctx.fillStyle = "#5f6b73";
  ctx.font = font(400, 26);
  ctx.textAlign = "center";
  ctx.fillText(t("common.poster.scan"), W - 290 + side / 2, H - 320 + side + 34);
  ctx.textAlign = "left";
  return canvas;
}

let dialog = null;

/** Show the poster in a sheet with "save picture" (a PNG download) — long-press saves it on a phone. */
export async function showPoster(poster) {
  dialog ??= document.body.appendChild(el("dialog", "", { class: "sheet poster-sheet", id: "poster-sheet" }));
  dialog.replaceChildren(el("p", t("common.loading"), { class: "muted" }));
  if (!dialog.open) dialog.showModal();
  const canvas = await drawPoster(poster);
  const url = canvas.toDataURL("image/png");
  const name = `${(poster.title || "poster").replace(/[\\/:*?"<>|\s]+/g, "-")}.png`;
  const actions = el("div", "", { class: "row" });
  actions.append(el("a", t("common.poster.save"), { class: "button", href: url, download: name }),
    el("button", t("common.close"), { type: "button", class: "secondary", onclick: () => dialog.close() }));
  dialog.replaceChildren(el("h2", t("common.poster.title")), el("p", t("common.poster.help"), { class: "muted" }),
    el("img", "", { src: url, alt: t("common.poster.alt", { title: poster.title }), class: "poster", "data-link": poster.link }),
    actions);
}
