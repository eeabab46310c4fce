// A registry directory on disk ↔ the map of relative path → file content that ImportRegistry and
// ExportRegistry carry. Which files mean what (index.json, <ns>/<type>/<version>/schema.json, the
// CLI source layout's versions/<n>/…) is the store's business; this only moves files.
import { lstat, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { usageError } from "../errors";

/**
 * The store accepts requests up to 40 MiB; a registry is a few hundred small files, so anything
 * near that is the wrong directory (a home folder, a build output) rather than a registry.
 */
const MAX_REGISTRY_BYTES = 32 * 1024 * 1024;

/** Folders that never hold a registry but can be huge: version control and npm installs. */
const SKIPPED_DIRS = new Set(["node_modules"]);

/** The files a registry import reads: JSON (schemas, index, examples) and transform.js (reported as ignored). */
const isRegistryFile = (name: string) => name.endsWith(".json") || name === "transform.js";

/** Every registry file below `root`, keyed by its path relative to root with "/" separators. */
export async function readRegistryDir(root: string): Promise<Record<string, string>> {
  const info = await lstat(root).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") throw usageError(`cannot read ${root}: no such directory`);
    throw err;
  });
  if (!info.isDirectory())
    throw usageError(`${root} is not a directory; give the registry's root directory (the one with index.json)`);
  const files: Record<string, string> = {};
  let bytes = 0;
  const walk = async (dir: string): Promise<void> => {
    // Symbolic links are not followed: a link back up the tree would never end.
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith(".")) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await walk(path);
      } else if (entry.isFile() && isRegistryFile(entry.name)) {
        const text = await readFile(path, "utf8");
        bytes += Buffer.byteLength(text);
        if (bytes > MAX_REGISTRY_BYTES)
          throw usageError(
            `${root} holds more than ${MAX_REGISTRY_BYTES / 1024 / 1024} MiB of JSON files; is it really a schema registry?`,
          );
        files[relative(root, path).split(sep).join("/")] = text;
      }
    }
  };
  await walk(root);
  return files;
}

/**
 * Refuses a directory with anything in it unless `force`: an export must not mix with other files
 * unasked. Creates nothing, so a failed export leaves no empty directory behind.
 */
export async function checkExportDir(dir: string, force: boolean): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return;
    if (code === "ENOTDIR") throw usageError(`${dir} is a file; give a directory to export into`);
    throw err;
  }
  if (entries.length > 0 && !force) {
    throw usageError(
      `${dir} is not empty; export into a new or empty directory, or pass --force to write into it (files of the same name are overwritten)`,
    );
  }
}

/** Writes the files below `dir` (created when missing), refusing any path that would land outside it. */
export async function writeRegistryDir(dir: string, files: Record<string, string>): Promise<string[]> {
  const root = resolve(dir);
  const written: string[] = [];
  for (const [path, content] of Object.entries(files)) {
    const target = resolve(root, path);
    // The paths come from the store; one that climbs out of the directory is never written.
    if (!target.startsWith(root + sep))
      throw new Error(`the store sent a file path outside the export directory: ${JSON.stringify(path)}`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
    written.push(path);
  }
  return written;
}
