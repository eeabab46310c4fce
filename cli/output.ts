// stdout for data, stderr for people. Data writes respect back-pressure (a slow `| jq` slows the
// subscription instead of filling memory) and a closed pipe (`| head`) ends the command quietly.

/** Writes lines to a stream, waiting for 'drain' when its buffer is full. */
export class LineOutput {
  #closed = false;
  /** A write error other than the reader going away (disk full …): reported by main.ts. */
  failure?: Error;

  constructor(
    private readonly stream: NodeJS.WritableStream & { writableLength?: number },
    /** Called once when output became impossible, so the command can stop producing. */
    onClosed: () => void,
  ) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE" && err.code !== "ERR_STREAM_DESTROYED") this.failure ??= err;
      if (!this.#closed) {
        this.#closed = true;
        onClosed();
      }
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  async line(text: string): Promise<void> {
    if (this.#closed) return;
    if (!this.stream.write(text + "\n")) await this.drained();
  }

  /** Resolves once everything written so far has been handed to the OS (or the pipe closed). */
  async flush(): Promise<void> {
    if (this.#closed || !this.stream.writableLength) return;
    await this.drained();
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.stream.off("drain", done);
        this.stream.off("error", done);
        resolve();
      };
      this.stream.once("drain", done);
      this.stream.once("error", done);
    });
  }
}

/** Redraw a progress line at most this often: faster only burns terminal bandwidth. */
const PROGRESS_INTERVAL_MS = 150;

/**
 * One self-overwriting status line on stderr. Enabled only when stderr is a terminal and stdout is
 * not: then the data goes to a file or pipe and the user otherwise sees nothing; with both on the
 * terminal the facts themselves scroll by and a status line would garble them.
 */
export class Progress {
  #last = 0;
  #shown = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    readonly enabled: boolean = Boolean(process.stderr.isTTY) && !process.stdout.isTTY,
  ) {}

  update(text: string | (() => string), force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.#last < PROGRESS_INTERVAL_MS) return;
    this.#last = now;
    this.#shown = true;
    this.stream.write(`\r\x1b[K${typeof text === "function" ? text() : text}`);
  }

  /** Clears the line, optionally leaving a final message. */
  done(message?: string): void {
    if (!this.enabled) return;
    if (this.#shown) this.stream.write("\r\x1b[K");
    this.#shown = false;
    if (message) this.stream.write(message + "\n");
  }
}

export function formatCount(n: number | bigint): string {
  return n.toLocaleString("en-US");
}

/** A plain text table: columns padded to their widest cell, numbers right-aligned. */
export function formatTable(
  headers: string[],
  rows: string[][],
  rightAligned: ReadonlySet<number> = new Set(),
): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [format(headers), ...rows.map(format)];
}
