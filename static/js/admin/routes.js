// Routes tab: delivery routes (线路, stops in driving order, a departure time) and each day's route
// runs with their drivers, delivered marks and links to the printable sorting sheet and manifest.
import { $, date, dateTime, el, onSubmit, storeToday, t } from "../common.js";
import { api, can } from "./context.js";
import { actionButton, dataTable, notify, query } from "./ui.js";

let points = [];
let routes = [];
let chosen = []; // the new route's stops, in the order they were added

const pointName = (id) => points.find((p) => p.id === id)?.name ?? `#${id}`;
const sheetLink = (run, kind, text) => el("a", text, { href: `/admin/route-sheet?run=${run.id}&kind=${kind}`, target: "_blank",
  rel: "noopener", class: "button secondary small" });

function renderRoutes() {
  $("routes-list").replaceChildren(dataTable([
    [t("admin.routes.name"), (r) => r.name],
    [t("admin.routes.departure"), (r) => r.departure_time],
    [t("admin.routes.stops"), (r) => r.stops.map((s) => `${s.position}. ${s.pickup_point.name}`).join(" → ")],
    [t("admin.routes.active"), (r) => (r.active ? t("admin.routes.yes") : t("admin.routes.no"))],
    ["", (r) => can("routes.manage") && actionButton(r.active ? t("admin.routes.deactivate") : t("admin.routes.activate"),
      () => toggle(r), { secondary: true })],
  ], routes, t("admin.routes.title"), { empty: t("admin.empty.routes") }));
  const select = $("run-route");
  select.replaceChildren(...routes.filter((r) => r.active).map((r) => el("option", r.name, { value: r.id })));
}

async function toggle(route) {
  await api(`/routes/${route.id}`, { method: "PATCH", body: { active: !route.active } });
  await loadRoutes();
}

function renderChosen() {
  $("route-stops").replaceChildren(...chosen.map((id, i) => el("li", `${i + 1}. ${pointName(id)}`)));
}

async function loadRoutes() {
  routes = await api("/routes?page_size=100");
  renderRoutes();
}

function renderRuns(runs) {
  $("runs-list").replaceChildren(dataTable([
    [t("admin.routes.route"), (r) => r.route_name],
    [t("admin.batches.delivery"), (r) => date(r.delivery_date)],
    [t("admin.routes.departure"), (r) => r.departure_time],
    [t("admin.routes.driver"), (r) => r.driver_name ?? "–"],
    [t("admin.routes.delivered"), (r) => {
      const list = el("ul", "", { class: "plain" });
      for (const s of r.stops) {
        list.append(el("li", s.delivered_at ? t("admin.routes.stop_delivered", { point: s.pickup_point.name, when: dateTime(s.delivered_at) })
          : t("admin.routes.stop_waiting", { point: s.pickup_point.name })));
      }
      return list;
    }],
    ["", (r) => {
      const box = el("div", "", { class: "actions" });
      box.append(sheetLink(r, "sorting", t("admin.routes.sorting_sheet")), sheetLink(r, "manifest", t("admin.routes.manifest")));
      return box;
    }],
  ], runs, t("admin.routes.runs"), { empty: t("admin.empty.route_runs") }));
}

async function loadRuns() {
  const day = $("runs-date").value || storeToday();
  renderRuns(await api(`/route-runs${query({ delivery_date: day, page_size: 100 })}`));
}

export function init() {
  $("route-add-stop").addEventListener("click", () => {
    const id = Number($("route-point").value);
    if (id && !chosen.includes(id)) chosen.push(id);
    renderChosen();
  });
  onSubmit($("route-form"), async (body, form) => {
    await api("/routes", { method: "POST", body: { name: body.name, departure_time: body.departure_time, stops: chosen } });
    notify(t("admin.routes.created", { name: body.name }));
    form.reset();
    chosen = [];
    renderChosen();
    await loadRoutes();
  });
  onSubmit($("run-form"), async (body) => {
    const run = await api("/route-runs", { method: "POST", body: { route_id: Number(body.route_id), delivery_date: body.delivery_date,
      driver_id: body.driver_id ? Number(body.driver_id) : null } });
    notify(t("admin.routes.planned", { route: run.route_name, day: date(run.delivery_date) }));
    $("runs-date").value = run.delivery_date;
    await loadRuns();
  });
  $("runs-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    loadRuns().catch((error) => notify(error.message, true));
  });
}

export async function show() {
  if (!$("runs-date").value) $("runs-date").value = storeToday();
  const manage = can("routes.manage");
  const [pointList, drivers] = await Promise.all([manage ? api("/pickup-points?page_size=100") : [],
    manage ? api("/drivers") : []]);
  points = pointList;
  $("route-point").replaceChildren(...points.map((p) => el("option", p.name, { value: p.id })));
  $("run-driver").replaceChildren(el("option", t("admin.routes.no_driver"), { value: "" }),
    ...drivers.map((d) => el("option", d.name, { value: d.id })));
  await Promise.all([loadRoutes(), loadRuns()]);
}
