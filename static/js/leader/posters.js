// Share posters of the leader's own group links (海报): one button per group the leader leads, each
// drawing the group's name, pickup point and next pickup with a QR code of the leader's link, so
// the neighbours who join through it count as the leader's (see static/js/poster.js).
import { $, ApiError, el, t } from "../common.js";
import { showPoster } from "../poster.js";
import { api, explain, on } from "./context.js";

async function posterOf(group) {
  const link = await api(`/groups/${group.id}/link`, { method: "POST" });
  const point = group.pickup_point;
  await showPoster({
    brand: group.name, title: t("common.poster.group_title", { group: group.name }), link: link.url,
    details: [t("common.poster.pickup_at", { point: `${point.name} ${point.address}` })],
    note: group.notice || null,
  });
}

async function listGroups() {
  const box = $("posters");
  const error = $("posters-error");
  error.textContent = "";
  try {
    const groups = await api("/groups");
    box.replaceChildren(...groups.map((group) => el("button", t("leader.posters.make", { group: group.name }), {
      type: "button", class: "secondary", onclick: () => posterOf(group).catch((e) => {
        if (!(e instanceof ApiError)) throw e;
        error.textContent = explain(e);
      }),
    })));
    if (!groups.length) box.replaceChildren(el("p", t("leader.posters.none"), { class: "muted" }));
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    error.textContent = explain(e);
  }
}

export function initPosters() {
  on("show-tab", () => { if (!$("posters").childElementCount) listGroups(); });
}
