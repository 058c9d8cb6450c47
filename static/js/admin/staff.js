// Staff tab (owners, `staff.manage`): the team with their roles; invite someone (their one-time
// password is shown once, to pass on), change a role, deactivate (their tokens stop at once) and
// reactivate. Nobody changes their own role or deactivates themselves (the API refuses too).
import { $, dateTime, el, onSubmit, t } from "../common.js";
import { api, state } from "./context.js";
import { actionButton, actions, dataTable, notify, pagedList, query, reportFailure } from "./ui.js";

let roles = [];
const roleName = (key) => roles.find((r) => r.key === key)?.name ?? key;

function fillRoles(select, current) {
  select.replaceChildren(...roles.map((r) => el("option", r.name, { value: r.key, selected: r.key === current })));
  return select;
}

function roleCell(s) {
  if (s.id === state.me.id) return roleName(s.role);
  const select = fillRoles(el("select", "", { "aria-label": t("admin.staff.role_of", { name: s.name }) }), s.role);
  select.addEventListener("change", async () => {
    try {
      const updated = await api(`/staff/${s.id}`, { method: "PATCH", body: { role: select.value } });
      s.role = updated.role;
      notify(t("admin.staff.role_changed", { name: updated.name, role: roleName(updated.role) }));
    } catch (error) {
      select.value = s.role;
      reportFailure(error);
    }
  });
  return select;
}

async function setActive(s, verb) {
  const updated = await api(`/staff/${s.id}/${verb}`, { method: "POST" });
  notify(t(updated.is_active ? "admin.staff.reactivated" : "admin.staff.deactivated", { name: updated.name }));
  await list.reload();
}

function activeActions(s) {
  if (s.id === state.me.id) return "";
  const what = { name: s.name };
  return actions(s.is_active
    ? actionButton(t("admin.staff.deactivate"), () => setActive(s, "deactivate"),
      { label: t("admin.staff.deactivate_named", what), secondary: true })
    : actionButton(t("admin.staff.reactivate"), () => setActive(s, "reactivate"),
      { label: t("admin.staff.reactivate_named", what), secondary: true }));
}

function render(staff) {
  return dataTable([
    [t("admin.staff.name"), (s) => s.name],
    [t("admin.staff.email"), (s) => s.email ?? ""],
    [t("admin.staff.role"), roleCell],
    [t("admin.orders.status"), (s) => el("span", t(s.is_active ? "admin.staff.active" : "admin.staff.inactive"), { class: "badge" })],
    [t("admin.staff.since"), (s) => dateTime(s.created_at)],
    [t("admin.staff.access"), activeActions],
  ], staff, t("admin.tabs.staff"), { empty: t("admin.empty.staff") });
}

const list = pagedList($("staff-list"), {
  what: () => t("admin.what.staff"),
  size: 50,
  fetchPage: (page, size) => api(`/staff${query({ page, page_size: size })}`),
  render,
});

export function init() {
  onSubmit($("staff-invite"), async (body, form) => {
    const invited = await api("/staff", { method: "POST", body });
    form.reset();
    $("staff-invited").replaceChildren(el("p", t("admin.staff.invited", { name: invited.name, email: invited.email })),
      el("p", t("admin.staff.initial_password", { password: invited.initial_password }), { class: "secret" }));
    $("staff-invited").hidden = false;
    await list.reload();
  });
}

export async function show() {
  $("staff-invited").hidden = true;
  roles = await api("/roles");
  fillRoles($("staff-invite-role"), "operations");
  await list.reload();
}
