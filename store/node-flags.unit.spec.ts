import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { STORE_NODE_FLAGS } from "./node-flags";

it("npm run store passes the same Node flags as every other launcher of the store", () => {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    scripts: Record<string, string>;
  };
  for (const flag of STORE_NODE_FLAGS) expect(pkg.scripts.store.split(" ")).toContain(flag);
});
