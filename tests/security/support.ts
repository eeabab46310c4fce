// A store with an access file and a secrets file, and clients of every service that call it as
// one account (Basic or Bearer), for the security tests.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { inject } from "vitest";
import { CatalogService, FactQueryService, InstanceService } from "../../gen/factline/admin/v1/admin_pb.js";
import { SchemaRegistryService } from "../../gen/factline/admin/v1/schemas_pb.js";
import { RemoteFactStore } from "../../gen/org/factcast/grpc/api/gen/FactStore_pb.js";
import { createTestDatabase } from "../support/database.js";
import { startStore, type RunningStore } from "../support/store.js";

export interface Clients {
  facts: Client<typeof RemoteFactStore>;
  catalog: Client<typeof CatalogService>;
  query: Client<typeof FactQueryService>;
  instance: Client<typeof InstanceService>;
  schemas: Client<typeof SchemaRegistryService>;
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

/** Clients of every service whose calls carry `authorization` (none when undefined). */
export function clientsFor(baseUrl: string, authorization?: string, options: { ca?: string } = {}): Clients {
  const auth: Interceptor = (next) => (req) => {
    if (authorization !== undefined) req.header.set("authorization", authorization);
    return next(req);
  };
  const transport = createGrpcTransport({
    baseUrl,
    interceptors: [auth],
    ...(options.ca ? { nodeOptions: { ca: options.ca } } : {}),
  });
  return {
    facts: createClient(RemoteFactStore, transport),
    catalog: createClient(CatalogService, transport),
    query: createClient(FactQueryService, transport),
    instance: createClient(InstanceService, transport),
    schemas: createClient(SchemaRegistryService, transport),
  };
}

export interface SecuredStore {
  store: RunningStore;
  dir: string;
  databaseUrl: string;
  as(authorization?: string): Clients;
  close(): Promise<void>;
}

export interface SecuredStoreOptions {
  access?: unknown;
  /** The secrets file's text (Java properties). */
  secrets?: string;
  env?: Record<string, string>;
  label?: string;
  /** PEM text of the CA the clients of as() trust, for a store serving TLS. */
  clientCa?: string;
}

/** A fresh database and a store started with the given access and secrets files. */
export async function startSecuredStore(options: SecuredStoreOptions): Promise<SecuredStore> {
  const dir = await mkdtemp(join(tmpdir(), "factline-security-"));
  const env: Record<string, string> = { ...options.env };
  if (options.access !== undefined) {
    env.FACTLINE_ACCESS_FILE = join(dir, "factcast-access.json");
    await writeFile(env.FACTLINE_ACCESS_FILE, JSON.stringify(options.access, null, 2));
  }
  if (options.secrets !== undefined) {
    env.FACTLINE_SECRETS_FILE = join(dir, "secrets.properties");
    await writeFile(env.FACTLINE_SECRETS_FILE, options.secrets);
  }
  const db = await createTestDatabase(inject("pgAdminUrl"), options.label ?? "security");
  let store: RunningStore;
  try {
    store = await startStore({ databaseUrl: db.url, env });
  } catch (err) {
    await db.drop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    store,
    dir,
    databaseUrl: db.url,
    as: (authorization) => clientsFor(store.url, authorization, { ca: options.clientCa }),
    async close() {
      await store.stop();
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
