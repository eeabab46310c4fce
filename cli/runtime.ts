// What one invocation of the CLI shares between main.ts and the command that runs: the global
// options, the store connection, stdout, and one AbortSignal that fires on Ctrl-C or when the
// reader of stdout goes away, so every command stops the same way.
import type { Transport } from "@connectrpc/connect";
import type { Command } from "commander";
import { usageError } from "./errors";
import { LineOutput } from "./output";
import type { StoreClient } from "../factcast/client";
import { handshake, openStore, type ServerInfo } from "./store-client";

export interface GlobalOptions {
  store: string;
  /** A CA file for an https:// store (--ca, FACTLINE_TLS_CA). */
  ca?: string;
  user?: string;
  password?: string;
  json: boolean;
}

export interface Connected {
  store: StoreClient;
  server: ServerInfo;
}

export type Interruption = "SIGINT" | "stdout closed";

export class Runtime {
  readonly #abort = new AbortController();
  readonly stdout: LineOutput;
  #interruption?: Interruption;
  #connected?: Promise<Connected>;
  #store?: StoreClient;

  constructor(
    stdout: NodeJS.WritableStream = process.stdout,
    private readonly stderr: NodeJS.WritableStream = process.stderr,
    /** Replaces the network in tests. */
    private readonly transport?: Transport,
  ) {
    this.stdout = new LineOutput(stdout, () => this.interrupt("stdout closed"));
  }

  /** Aborted on Ctrl-C or when stdout closed; commands pass it to every store call. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get interruption(): Interruption | undefined {
    return this.#interruption;
  }

  interrupt(why: Interruption): void {
    this.#interruption ??= why;
    this.#abort.abort(new Error(why));
  }

  globals(command: Command): GlobalOptions {
    const opts = command.optsWithGlobals<GlobalOptions>();
    if (opts.password !== undefined && opts.user === undefined) {
      throw usageError("--password (or FACTLINE_STORE_PASSWORD) needs --user (or FACTLINE_STORE_USER)");
    }
    return opts;
  }

  /** Opens the store and shakes hands once per invocation. */
  connect(command: Command, clientId?: string): Promise<Connected> {
    this.#connected ??= (async () => {
      const { store: url, ca, user, password } = this.globals(command);
      const warn = (message: string) => this.note(`warning: ${message}`);
      this.#store = openStore({ url, ca: ca || undefined, user, password, clientId, warn }, this.transport);
      return { store: this.#store, server: await handshake(this.#store, this.signal) };
    })();
    return this.#connected;
  }

  /**
   * Runs `work`; if Ctrl-C or a closed stdout interrupts it, whatever it throws because of that is
   * swallowed: for reading commands, stopping is the normal way to end (exit 0).
   */
  async untilInterrupted(work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (!this.signal.aborted) throw err;
    }
  }

  /** A list of names: one per line for shell loops, or one JSON array with --json. */
  async printList(command: Command, values: Array<string | number>): Promise<void> {
    if (this.globals(command).json) {
      await this.stdout.line(JSON.stringify(values));
    } else {
      for (const value of values) await this.stdout.line(String(value));
    }
  }

  /** For people, on stderr, never mixed into data on stdout. */
  note(message: string): void {
    this.stderr.write(`factline: ${message}\n`);
  }

  close(): void {
    this.#store?.close();
  }
}
