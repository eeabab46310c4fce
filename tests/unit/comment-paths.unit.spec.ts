// Every repository path a comment (or a Markdown document) names must exist, so a reader can always
// follow it: comments cite README sections and files of this repository, and a moved or deleted
// file shows up here rather than as a dead reference.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Generated (it repeats proto/'s comments) or third-party: not ours to keep true. */
const SKIPPED = [/^gen\//, /^tests\/java-client\/repo\//, /^package-lock\.json$/];

/** How comments start in each kind of file we write. */
const COMMENTS: Record<string, RegExp> = {
  ts: /\/\/[^\n]*|\/\*[\s\S]*?\*\//g,
  proto: /\/\/[^\n]*|\/\*[\s\S]*?\*\//g,
  css: /\/\*[\s\S]*?\*\//g,
  sql: /--[^\n]*/g,
  sh: /(?:^|\s)#[^\n]*/g,
  md: /[\s\S]+/g, // documentation is all prose
};
const KIND: Record<string, keyof typeof COMMENTS> = {
  ".ts": "ts",
  ".tsx": "ts",
  ".js": "ts",
  ".mjs": "ts",
  ".cjs": "ts",
  ".proto": "proto",
  ".css": "css",
  ".sql": "sql",
  ".sh": "sh",
  ".yaml": "sh",
  ".yml": "sh",
  ".md": "md",
};

/** Made by running things (git-ignored), so absent from a fresh clone: named, but not checked. */
const OUTPUTS = ["bench/results", "tests/java-client/target"];

/** File names a comment may mention as a path: what this repository is made of. */
const FILE = /\.(?:tsx?|m?js|cjs|json|md|sql|proto|css|ya?ml|sh|svg|ico|png|xml)$/;
/** A run of path segments with at least one slash; brackets and parentheses for Next.js routes. */
const PATH = /(?<![\w./@~:-])(?:\.{1,2}\/)?[\w@.()[\]-]+(?:\/[\w@.()[\]-]+)+\/?/g;

function tracked(): string[] {
  const out = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    encoding: "utf8",
  });
  return out.split("\0").filter((f) => f !== "" && existsSync(path.join(root, f)));
}

/** The paths named in the comments of `file`, with the line each is on. */
function namedPaths(file: string, text: string): { name: string; line: number }[] {
  const kind = KIND[path.extname(file)];
  if (!kind) return [];
  const found: { name: string; line: number }[] = [];
  for (const comment of text.matchAll(COMMENTS[kind])) {
    // URLs name other sites; `<ns>`, `*` and `{…}` are patterns, not paths.
    // A Markdown link's text and its target are two names, split here at "](".
    const body = comment[0].replace(/\b[a-z][\w+.-]*:\/\/\S+/gi, " ").replace(/\]\(/g, "] (");
    for (const m of body.matchAll(PATH)) {
      // A leading "(" or trailing ")"/"." is the sentence's; "(group)" inside a path is Next.js'.
      const bracketed = m[0].startsWith("[");
      const name = m[0].replace(/^[([]/, "").replace(bracketed ? /[.,)\]]+$/ : /[.,)]+$/, "");
      if (name.startsWith("...")) continue; // an elided path: ".../native"
      const quoted = body[m.index - 1] === '"' && body[m.index + m[0].length] === '"';
      if (quoted) continue; // an example value ("users/UserCreated/1/schema.json"), not a file of ours
      if (/[*<>{}]/.test(body.slice(m.index - 1, m.index + m[0].length + 1))) continue;
      found.push({ name, line: text.slice(0, comment.index + m.index).split("\n").length });
    }
  }
  return found;
}

describe("paths named in comments", () => {
  it("exist in the repository", () => {
    const files = tracked();
    const all = new Set(files);
    const dirs = new Set(
      files.flatMap((f) =>
        f
          .split("/")
          .slice(0, -1)
          .map((_, i, parts) => parts.slice(0, i + 1).join("/")),
      ),
    );
    const topLevel = new Set(files.map((f) => f.split("/")[0]));
    const exists = (p: string) => all.has(p) || dirs.has(p.replace(/\/$/, ""));
    const missing: string[] = [];
    for (const file of files) {
      if (SKIPPED.some((s) => s.test(file))) continue;
      for (const { name, line } of namedPaths(file, readFileSync(path.join(root, file), "utf8"))) {
        if (OUTPUTS.some((o) => name === o || name.startsWith(`${o}/`))) continue;
        // In documentation a dot-slash path is in the reader's own directory (a shell example).
        if (file.endsWith(".md") && name.startsWith("./")) continue;
        const relative = name.startsWith(".");
        const first = name.split("/")[0];
        // Only names that claim to be ours: relative ones, ones under a top-level entry, files we write.
        if (!relative && !topLevel.has(first) && !FILE.test(name)) continue;
        const fromHere = path.posix.normalize(path.posix.join(path.posix.dirname(file), name));
        const candidates = relative ? [fromHere] : [name, fromHere];
        // TypeScript's ESM imports name a .ts file by its .js output; a module may go without one.
        const withTs = candidates.flatMap((c) => [c, c.replace(/\.js$/, ".ts"), `${c}.ts`, `${c}.tsx`]);
        if (withTs.some(exists)) continue;
        // "routes/prefetch.ts" from a neighbouring folder: a unique tail of a real path will do.
        if (!relative && files.some((f) => f.endsWith(`/${name}`))) continue;
        missing.push(`${file}:${line}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
