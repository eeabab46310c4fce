// publish reads its input twice: once to check every line (so nothing is published when one is
// bad), once to send. A regular file is simply opened again; stdin and pipes (`<(…)`) cannot be
// re-read, so the first reading copies their bytes to a temporary file. Memory stays constant
// however large the input.
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { usageError } from "../errors";

export interface PublishInput {
  /** For messages: the file name, or "stdin". */
  readonly name: string;
  /** Whether it is an interactive terminal (the user is typing facts). */
  readonly interactive: boolean;
  /** The first reading. */
  read(): AsyncIterable<Buffer>;
  /** The same bytes again; only after read() was consumed to the end. */
  reread(): AsyncIterable<Buffer>;
  /** Removes the temporary copy, if any. */
  dispose(): Promise<void>;
}

export async function openInput(path: string | undefined): Promise<PublishInput> {
  if (path === undefined || path === "-") return spooled("stdin", process.stdin, Boolean(process.stdin.isTTY));
  let isFile: boolean;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw usageError(`${path} is a directory; give an NDJSON file or - for stdin`);
    isFile = info.isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw usageError(`cannot read ${path}: no such file`);
    if ((err as NodeJS.ErrnoException).code === "EACCES") throw usageError(`cannot read ${path}: permission denied`);
    throw err;
  }
  if (!isFile) return spooled(path, createReadStream(path), false);
  return {
    name: path,
    interactive: false,
    read: () => createReadStream(path),
    reread: () => createReadStream(path),
    dispose: async () => {},
  };
}

function spooled(name: string, source: NodeJS.ReadableStream, interactive: boolean): PublishInput {
  let dir: string | undefined;
  let copy: string | undefined;
  return {
    name,
    interactive,
    read: () =>
      (async function* () {
        dir = await mkdtemp(join(tmpdir(), "factline-publish-"));
        copy = join(dir, "input.ndjson");
        const out = createWriteStream(copy);
        try {
          for await (const chunk of source) {
            const bytes = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
            if (!out.write(bytes)) await once(out, "drain");
            yield bytes;
          }
        } finally {
          await closeStream(out);
        }
      })(),
    reread: () => {
      if (!copy) throw new Error("reread() before read()");
      return createReadStream(copy);
    },
    dispose: async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

function closeStream(out: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}
