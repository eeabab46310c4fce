import type pg from "pg";
import { log } from "../log";
import { createDedicatedClient } from "./db";

// After a dropped connection, try again this often; every handler is told to resynchronise, since
// notifications sent meanwhile are lost.
const RETRY_MS = 1_000;

export interface ChannelHandler {
  /** A notification arrived on the channel. */
  onNotify(payload: string): void;
  /** (Re)connected: anything may have happened while not listening. */
  onResync(): void;
}

/**
 * One dedicated LISTEN connection per store instance, shared by everything that follows the
 * database's NOTIFY channels (new facts, schema changes). Reconnects by itself.
 */
export class NotificationListener {
  private readonly handlers = new Map<string, ChannelHandler>();
  private client?: pg.Client;
  private stopped = false;

  constructor(private readonly databaseUrl: string) {}

  on(channel: string, handler: ChannelHandler): void {
    if (!/^[a-z_]+$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
    this.handlers.set(channel, handler);
  }

  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = createDedicatedClient(this.databaseUrl);
    const retry = () => {
      if (this.client !== client || this.stopped) return;
      this.client = undefined;
      client.end().catch(() => {});
      setTimeout(() => void this.connect(), RETRY_MS).unref();
    };
    client.on("notification", (msg) => this.handlers.get(msg.channel)?.onNotify(msg.payload ?? ""));
    client.on("error", (err) => {
      log.warn("listen connection lost; reconnecting", { error: err.message });
      retry();
    });
    client.on("end", retry);
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${channel}`);
      this.client = client;
      for (const handler of this.handlers.values()) handler.onResync();
    } catch (err) {
      client.end().catch(() => {});
      log.warn("cannot listen for notifications; retrying", { error: (err as Error).message });
      setTimeout(() => void this.connect(), RETRY_MS).unref();
    }
  }
}
