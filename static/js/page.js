// The pages with fixed text only (the home page, the unknown group link): their language and its menu.
// Alipay's return_url is the home page (/?order=<id>#orders or /?top_up=<id>#wallet): a shopper coming
// back from it goes on to the shop page they paid on (kept by static/js/shop/apppay.js).
import { startPage } from "./common.js";

const shop = localStorage.getItem("storefront.shop");
const back = new URLSearchParams(location.search);
if (shop?.startsWith("/g/") && location.pathname === "/" && (back.has("order") || back.has("top_up"))) {
  location.replace(shop + location.search + location.hash);
} else {
  startPage().catch((error) => console.error(error));
}
