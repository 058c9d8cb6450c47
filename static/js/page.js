// The pages with fixed text only (the home page, the unknown group link): their language and its menu.
import { startPage } from "./common.js";

startPage().catch((error) => console.error(error));
