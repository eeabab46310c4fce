// A failure of the store's own making (here: its fact table renamed behind its back) reaches the
// caller as INTERNAL with an error id and nothing else; the SQL and PostgreSQL's message go to the
// store's log, under that id.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError } from "../support/client.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";

let fx: StoreFixture;
let admin: pg.Client;
beforeAll(async () => {
  fx = await startStoreOnFreshDatabase("internal_errors");
  admin = new pg.Client({ connectionString: fx.databaseUrl });
  await admin.connect();
}, 90_000);
afterAll(async () => {
  await admin?.end();
  await fx?.close();
}, 30_000);

describe("internal errors", () => {
  it("show the caller an error id to quote, never SQL or PostgreSQL's words; the log has both", async () => {
    await admin.query("ALTER TABLE fact RENAME TO fact_moved_away");
    let error: ConnectError | undefined;
    try {
      await fx.client.serialOf({ msb: 1n, lsb: 2n });
    } catch (e) {
      error = ConnectError.from(e);
    } finally {
      await admin.query("ALTER TABLE fact_moved_away RENAME TO fact");
    }
    expect(error?.code).toBe(Code.Internal);
    const message = error!.rawMessage;
    expect(message).toMatch(
      /^internal error in RemoteFactStore\.serialOf \(error id [0-9a-f]{12}\); the store logged its cause under this id: quote it when you report this$/,
    );
    for (const secret of [/relation/i, /"fact"/, /select/i, /from\s/i, /postgres/i, /\bat\s.+\.ts/]) {
      expect(message).not.toMatch(secret);
    }
    // The log line with that id carries the cause.
    const id = /error id ([0-9a-f]{12})/.exec(message)![1];
    const line = fx.store
      .stderr()
      .split("\n")
      .find((l) => l.includes(id));
    expect(line, "a log line naming the error id").toBeDefined();
    expect(line).toMatch(/relation \\?"fact\\?" does not exist/);
    // The store itself carries on.
    expect((await fx.client.latestSerial({})).serial).toBeGreaterThanOrEqual(0n);
  });
});
