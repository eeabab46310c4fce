/**
 * The store's storage layer in-process on a fresh database of a replicated cluster, with the
 * standby's copy of that database as its one read replica (store/storage/replicas/).
 */
import { randomUUID } from "node:crypto";
import { openDatabase, type StoreDatabase } from "../../../store/storage/db";
import { insertRequests } from "../../../store/storage/append";
import { DatabaseHealth } from "../../../store/storage/health";
import { migrate } from "../../../store/storage/migrate";
import { ReplicaSet } from "../../../store/storage/replicas/replica-set";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import type { ReplicatedCluster } from "./replication.js";

export interface ReplicatedStorage {
  db: StoreDatabase;
  replicas: ReplicaSet;
  /** The database's name, the same on primary and standby. */
  database: string;
  /** Appends `count` facts of namespace `ns` in batches of 500; returns their ids in serial order. */
  append(count: number, ns: string, padBytes?: number): Promise<string[]>;
  close(): Promise<void>;
}

export async function openReplicatedStorage(cluster: ReplicatedCluster, label: string): Promise<ReplicatedStorage> {
  const database: TestDatabase = await createTestDatabase(cluster.primaryUrl(), label);
  const name = decodeURIComponent(new URL(database.url).pathname.slice(1));
  const health = new DatabaseHealth(database.url);
  const db = openDatabase(database.url, 10, health);
  await migrate(db.lookups);
  await cluster.waitForReplay();
  const replicas = new ReplicaSet([cluster.standbyUrl(name)], 4, db.lookups);
  db.replicas = replicas;
  await replicas.start();
  return {
    db,
    replicas,
    database: name,
    async append(count, ns, padBytes = 100) {
      const ids: string[] = [];
      const client = await db.writes.connect();
      try {
        for (let i = 0; i < count; i += 500) {
          const facts = Array.from({ length: Math.min(500, count - i) }, (_, j) => {
            const id = randomUUID();
            ids.push(id);
            return {
              header: { id, ns, type: "T", meta: {} },
              payload: Buffer.from(JSON.stringify({ n: i + j, pad: "x".repeat(padBytes) })),
            };
          });
          await insertRequests(client, [{ facts }]);
        }
      } finally {
        client.release();
      }
      return ids;
    },
    async close() {
      await replicas.stop();
      health.stop();
      await db.end();
      await database.drop();
    },
  };
}
