/**
 * Emmett's PostgreSQL event store (@event-driven-io/emmett-postgresql), the TypeScript peer: same
 * events, same database, its own schema (emt_* tables), driven through its public API the way an
 * Emmett application would.
 */
import { dumbo } from "@event-driven-io/dumbo";
import {
  getPostgreSQLEventStore,
  readMessagesBatch,
  type PostgresEventStore,
} from "@event-driven-io/emmett-postgresql";
import type { BenchFact } from "../facts";

/** Emmett's own consumer default (DefaultPostgreSQLEventStoreProcessorBatchSize): what its users get. */
export const EMMETT_READ_BATCH = 100;

export interface Emmett {
  store: PostgresEventStore;
  /** Appends `facts` to one stream (Emmett appends to exactly one stream per call). */
  append(facts: BenchFact[]): Promise<void>;
  /**
   * Reads the global log in order as Emmett's consumers do (readMessagesBatch), optionally keeping
   * only one namespace (Emmett cannot filter by category in the database; its consumers filter in
   * memory). Stops early after `maxMs`; returns messages kept and read.
   */
  readAll(nsFilter: string | undefined, maxMs: number): Promise<{ kept: number; read: number; complete: boolean }>;
  close(): Promise<void>;
}

export async function openEmmett(url: string): Promise<Emmett> {
  const pool = dumbo({ connectionString: url });
  const store = getPostgreSQLEventStore(url, { connectionOptions: { dumbo: pool } });
  await store.schema.migrate();
  return {
    store,
    async append(facts) {
      // The stream is the aggregate; "<ns>-<aggId>" makes Emmett record <ns> as the stream type.
      const stream = `${facts[0].ns}-${facts[0].aggId}`;
      await store.appendToStream(
        stream,
        facts.map((f) => ({
          type: `${f.ns}.${f.type}`,
          data: JSON.parse(f.payload) as Record<string, unknown>,
          metadata: { factId: f.id },
        })),
      );
    },
    async readAll(nsFilter, maxMs) {
      const prefix = nsFilter === undefined ? undefined : `${nsFilter}.`;
      const deadline = performance.now() + maxMs;
      let after = 0n;
      let kept = 0;
      let read = 0;
      for (;;) {
        const batch = await readMessagesBatch(pool.execute, { after, batchSize: EMMETT_READ_BATCH });
        read += batch.messages.length;
        for (const m of batch.messages) if (prefix === undefined || m.type.startsWith(prefix)) kept++;
        after = batch.currentGlobalPosition;
        if (!batch.areMessagesLeft) return { kept, read, complete: true };
        if (performance.now() > deadline) return { kept, read, complete: false };
      }
    },
    async close() {
      await store.close();
      await pool.close();
    },
  };
}
