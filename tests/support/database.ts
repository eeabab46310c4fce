/** One fresh database per test file, so files can run in parallel against one server. */
import { randomBytes } from "node:crypto";
import pg from "pg";

export interface TestDatabase {
  /** The database's name (e.g. to use it as another database's template). */
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** PostgreSQL truncates identifiers beyond this many bytes. */
const MAX_IDENTIFIER = 63;

export interface TestDatabaseOptions {
  /**
   * Copy this database (CREATE DATABASE … TEMPLATE): a migrated one is copied in a fraction of the
   * time the store's migrations take. Nobody may be connected to it meanwhile.
   */
  template?: string;
}

export async function createTestDatabase(
  adminUrl: string,
  label = "test",
  { template }: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");
  const suffix = `_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const name = `factline_${slug}`.slice(0, MAX_IDENTIFIER - suffix.length) + suffix;
  await admin(adminUrl, (client) =>
    client.query(
      `CREATE DATABASE ${client.escapeIdentifier(name)}` +
        (template ? ` TEMPLATE ${client.escapeIdentifier(template)}` : ""),
    ),
  );
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    // FORCE: a test that leaked a connection must not make the cleanup fail too.
    drop: () =>
      admin(adminUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`),
      ),
  };
}

async function admin(url: string, work: (client: pg.Client) => Promise<unknown>) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
