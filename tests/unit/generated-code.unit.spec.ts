// Generated protobuf code is committed; this catches a .proto edited without `npm run generate`.
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";

const exec = promisify(execFile);
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const committed = path.join(repoRoot, "gen");
const STALE = "generated code is stale: run `npm run generate`";
/** buf compiles every .proto and runs protoc-gen-es through node; slow CI machines need a while. */
const GENERATE_TIMEOUT_MS = 60_000;

let scratch: string | undefined;
afterAll(async () => {
  if (scratch) await fs.rm(scratch, { recursive: true, force: true });
});

async function listFiles(root: string, dir = root): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? listFiles(root, full) : [path.relative(root, full)];
    }),
  );
  return nested.flat().sort();
}

it(
  "gen/ matches what buf generates from proto/",
  async () => {
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), "factline-gen-"));
    const out = path.join(scratch, "gen");
    // Same template, only the output redirected: `clean: true` must never touch the real gen/.
    const template = (await fs.readFile(path.join(repoRoot, "buf.gen.yaml"), "utf8")).replace(
      /^(\s*out:\s*)gen\s*$/m,
      `$1${JSON.stringify(out)}`,
    );
    expect(template, "buf.gen.yaml no longer has `out: gen`; update this test").toContain(out);
    const templateFile = path.join(scratch, "buf.gen.yaml");
    await fs.writeFile(templateFile, template);

    const bin = path.join(repoRoot, "node_modules", ".bin");
    await exec(path.join(bin, "buf"), ["generate", "--template", templateFile], {
      cwd: repoRoot,
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}` },
    });

    const [expected, actual] = await Promise.all([listFiles(out), listFiles(committed)]);
    expect(actual, STALE).toEqual(expected);
    for (const file of expected) {
      const [want, have] = await Promise.all([
        fs.readFile(path.join(out, file)),
        fs.readFile(path.join(committed, file)),
      ]);
      if (!have.equals(want)) {
        // Compared as text first for a readable diff; the byte check catches encoding-only changes.
        expect(have.toString("utf8"), `${STALE} (gen/${file} differs)`).toBe(want.toString("utf8"));
        expect.fail(`${STALE} (gen/${file} differs in bytes)`);
      }
    }
  },
  GENERATE_TIMEOUT_MS,
);
