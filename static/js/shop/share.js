// Posters a shopper shares: always of their own personal link (POST /links), so the neighbours who
// join through it are attributed to them; a product poster's link opens that product (?p=<id>).
import { ApiError, t } from "../common.js";
import { showPoster } from "../poster.js";
import { api, state } from "./context.js";

let mine = null; // the shopper's personal link for this group, minted once per page

async function personalLink() {
  if (mine?.group_id !== state.group.id) mine = await api("/links", { method: "POST", body: { group_id: state.group.id } });
  return mine.url;
}

/** Make and show a poster; `poster.query` is added to the link. Failures go to `errorBox`. */
export async function sharePoster(poster, errorBox) {
  errorBox.textContent = "";
  try {
    const link = (await personalLink()) + (poster.query ?? "");
    await showPoster({ brand: state.group.name, ...poster, link });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    errorBox.textContent = t("common.poster.failed", { message: error.message });
  }
}
