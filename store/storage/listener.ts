import type pg from "pg";
import { createDedicatedClient } from "./db";
import type { DatabaseHealth } from "./health";

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
  private connecting = false;
  private retry?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly health: DatabaseHealth,
  ) {
    // Reconnect as soon as the server is back rather than at the next retry tick.
    health.on("up", () => {
      if (!this.client && !this.connecting) void this.connect();
    });
  }

  on(channel: string, handler: ChannelHandler): void {
    if (!/^[a-z_]+$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
    this.handlers.set(channel, handler);
  }

  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    if (this.stopped || this.connecting) return;
    this.connecting = true;
    clearTimeout(this.retry);
    const client = createDedicatedClient(this.databaseUrl);
    const lost = (err?: Error) => {
      if (this.client !== client || this.stopped) return;
      this.client = undefined;
      // Logged once per outage by the health monitor, not once per retry.
      this.health.lost(err ?? new Error("Connection terminated unexpectedly"), "listening for new facts (LISTEN)");
      client.end().catch(() => {});
      this.scheduleRetry();
    };
    client.on("notification", (msg) => this.handlers.get(msg.channel)?.onNotify(msg.payload ?? ""));
    client.on("error", (err) => lost(err));
    client.on("end", () => lost());
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${channel}`);
      this.client = client;
      this.health.reached();
      for (const handler of this.handlers.values()) handler.onResync();
    } catch (err) {
      client.end().catch(() => {});
      this.health.lost(err as Error, "listening for new facts (LISTEN)");
      this.scheduleRetry();
    } finally {
      this.connecting = false;
    }
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.connect(), RETRY_MS);
    this.retry.unref();
  }
}
