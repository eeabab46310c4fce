/** `npm run console`: the console alone, against FACTLINE_STORE_URL. */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
if (!existsSync(`${root}app/page.tsx`)) {
  console.error("factline: console not built yet (it arrives with the console issue)");
  process.exit(1);
}
