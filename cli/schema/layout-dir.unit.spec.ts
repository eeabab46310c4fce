import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkExportDir, readRegistryDir, writeRegistryDir } from "./layout-dir";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "factline-layout-dir-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("readRegistryDir", () => {
  it("reads the registry's files by relative path, skipping hidden folders, node_modules and other files", async () => {
    for (const [path, text] of Object.entries({
      "index.json": "{}",
      "shop/Order/1/schema.json": "{}",
      "shop/Order/versions/2/examples/a.json": "1",
      "shop/Order/1/transform.js": "x",
      "shop/Order/index.md": "# docs",
      ".git/config.json": "{}",
      "node_modules/x/package.json": "{}",
    })) {
      await mkdir(join(dir, path, ".."), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    expect(Object.keys(await readRegistryDir(dir)).sort()).toEqual([
      "index.json",
      "shop/Order/1/schema.json",
      "shop/Order/1/transform.js",
      "shop/Order/versions/2/examples/a.json",
    ]);
  });
});

describe("writing an export", () => {
  it("refuses a directory that is not empty unless forced, and accepts a missing one", async () => {
    await expect(checkExportDir(join(dir, "new"), false)).resolves.toBeUndefined();
    await writeFile(join(dir, "mine.txt"), "x");
    await expect(checkExportDir(dir, false)).rejects.toMatchObject({ exitCode: 1 });
    await expect(checkExportDir(dir, true)).resolves.toBeUndefined();
  });

  it("writes nested files and never a path outside the directory", async () => {
    const out = join(dir, "out");
    await writeRegistryDir(out, { "index.json": "{}\n", "a/B/1/schema.json": "{}\n" });
    expect(await readFile(join(out, "a/B/1/schema.json"), "utf8")).toBe("{}\n");
    await expect(writeRegistryDir(out, { "../escaped.json": "{}" })).rejects.toThrow(/outside the export directory/);
  });
});
