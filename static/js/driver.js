// The driver page (phone first): today's route runs of the signed-in driver, the stops in driving
// order with address, a map link and what to unload, and a "delivered" button per stop with an
// optional photo. The leader's arrival confirmation then follows as before (docs/delivery-routes.md).
import { $, ApiError, date, dateTime, describeError, el, followAccountLocale, onSubmit, startPage, t }
  from "./common.js";
import { api, token } from "./admin/context.js";

let current = null; // the run on screen

function notify(message, isError = false) {
  $("notice").textContent = message;
  $("notice").className = isError ? "error" : "ok";
}

/** A map app link: AMap (高德) opens in Chinese phones' browsers and apps; coordinates as the point has them. */
function mapLink(point) {
  const href = `https://uri.amap.com/marker?position=${point.longitude},${point.latitude}&name=${encodeURIComponent(point.name)}`;
  return el("a", t("admin.driver.map"), { href, target: "_blank", rel: "noopener", class: "button secondary small" });
}

function showLogin() {
  $("runs").hidden = $("run").hidden = $("logout").hidden = true;
  $("login").hidden = false;
  $("who").textContent = "";
}

async function showRuns() {
  const runs = await api("/driver/runs");
  $("run").hidden = true;
  $("runs").hidden = false;
  const list = $("run-list");
  list.replaceChildren();
  if (!runs.length) list.append(el("p", t("admin.driver.no_runs"), { class: "muted" }));
  for (const run of runs) {
    const done = run.stops.filter((s) => s.delivered_at).length;
    const card = el("button", "", { type: "button", class: "card run-card", "data-run": run.id });
    card.append(el("strong", t("admin.driver.run_name", { route: run.route_name, time: run.departure_time })),
      el("span", date(run.delivery_date)),
      el("span", t("admin.driver.progress", { done, count: run.stops.length }), { class: "muted" }));
    card.addEventListener("click", () => openRun(run.id).catch(report));
    list.append(card);
  }
}

function stopItem(stop) {
  const item = el("li", "", { class: "card stop", "data-stop": stop.id });
  const point = stop.pickup_point;
  item.append(el("h3", `${stop.position}. ${point.name}`), el("p", point.address),
    el("p", stop.closed ? t("admin.driver.closed") : t("admin.driver.unload", { bags: stop.bag_count, units: stop.units }),
      { class: "muted" }));
  const row = el("div", "", { class: "actions" });
  row.append(mapLink(point));
  if (stop.delivered_at) {
    item.classList.add("done");
    item.append(el("p", t("admin.driver.delivered_at", { when: dateTime(stop.delivered_at) }), { class: "ok", "data-delivered": "" }));
  } else if (!stop.closed) {
    const photo = el("input", "", { type: "file", accept: "image/*", capture: "environment", name: "photo" });
    const photoLabel = el("label", t("admin.driver.photo"));
    photoLabel.append(photo);
    const button = el("button", t("admin.driver.mark"), { type: "button", "data-mark": "" });
    button.addEventListener("click", () => markDelivered(stop, photo.files[0], button).catch(report));
    item.append(photoLabel);
    row.append(button);
  }
  item.append(row);
  return item;
}

/** Mark first (the time that counts), then send the photo: a failed upload never loses the mark. */
async function markDelivered(stop, photo, button) {
  button.disabled = true;
  try {
    const base = `/driver/runs/${current.run.id}/stops/${stop.id}`;
    await api(`${base}/delivered`, { method: "POST" });
    if (photo) {
      const body = new FormData();
      body.append("photo", photo);
      await api(`${base}/photo`, { method: "POST", body });
    }
    notify(t("admin.driver.marked", { point: stop.pickup_point.name }));
    await openRun(current.run.id);
  } finally {
    button.disabled = false;
  }
}

async function openRun(runId) {
  current = await api(`/driver/runs/${runId}`);
  const { run, totals } = current;
  $("runs").hidden = true;
  $("run").hidden = false;
  $("run-title").textContent = t("admin.driver.run_name", { route: run.route_name, time: run.departure_time });
  $("run-facts").textContent = t("admin.driver.facts", { day: date(run.delivery_date), stops: totals.stops, bags: totals.bags,
    units: totals.units });
  $("stops").replaceChildren(...current.stops.map(stopItem));
  $("run-title").focus();
}

function report(error) {
  if (error instanceof ApiError) {
    if (error.status === 401) { token.clear(); showLogin(); }
    notify(describeError(error), true);
  } else console.error(error);
}

async function signedIn() {
  const me = await api("/me");
  if (followAccountLocale(me)) return;
  $("who").textContent = t("admin.signed_in_as", { name: me.name });
  $("login").hidden = true;
  $("logout").hidden = false;
  if (!me.permissions.includes("routes.drive")) {
    notify(t("admin.driver.not_driver"), true);
    return;
  }
  await showRuns();
}

async function main() {
  await startPage();
  onSubmit($("login-form"), async (body, form) => {
    const issued = await api("/auth/login", { method: "POST", body });
    token.set(issued.token);
    form.reset();
    await signedIn();
  });
  $("logout").addEventListener("click", async () => {
    await api("/auth/logout", { method: "POST" }).catch(() => null);
    token.clear();
    showLogin();
  });
  $("back").addEventListener("click", () => showRuns().catch(report));
  if (token.get()) await signedIn().catch((error) => { if (error.status === 401) showLogin(); else report(error); });
  else showLogin();
}

main().catch(report);
