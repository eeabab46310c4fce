// The append statement against a real PostgreSQL (migrations/080): it keeps the catalog and
// date2serial itself, so their counts must stay exactly what the fact table holds, whoever writes and
// however a write ends; the stamps land in meta; texts that do not split into the announced facts
// are refused and store nothing.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuplicateFactError, InvalidInputError } from "../errors";
import type { FactToPublish } from "../facts/fact";
import { openTestStorage, type TestStorage } from "../../tests/support/storage";
import { catalogKinds, headerPrefix, insertRequests } from "./append";
import { Appender } from "./group-commit";
import { publishIfUnchanged, stateFor } from "./tokens";

let storage: TestStorage;
beforeAll(async () => {
  storage = await openTestStorage("append");
}, 60_000);
afterAll(async () => {
  await storage?.close();
});

const KINDS = [
  { ns: "app-a", type: "Placed", version: 1 },
  { ns: "app-a", type: "Placed", version: 2 },
  { ns: "app-a", type: "Shipped", version: 1 },
  { ns: "app-b", type: undefined, version: undefined },
  { ns: "app-b", type: "Paid", version: undefined },
] as const;

function fact(n: number, id: string = randomUUID()): FactToPublish {
  const kind = KINDS[n % KINDS.length];
  const header: FactToPublish["header"] = { id, ns: kind.ns, meta: { n: String(n) } };
  if (kind.type !== undefined) header.type = kind.type;
  if (kind.version !== undefined) header.version = kind.version;
  return { header, payload: Buffer.from(JSON.stringify({ n })) };
}

const facts = (count: number, from = 0) => Array.from({ length: count }, (_, i) => fact(from + i));

/** The catalog and date2serial as they are, and as the fact table says they must be. */
async function catalogAgainstFacts() {
  const kept = await storage.admin<{ row: string }>(
    `SELECT ns || '/' || type || '/' || version || ' ' || fact_count || ' ' || first_ser || '-' || last_ser AS row
       FROM catalog ORDER BY ns, type, version`,
  );
  const counted = await storage.admin<{ row: string }>(
    `SELECT ns || '/' || type || '/' || version || ' ' || count(*) || ' ' || min(ser) || '-' || max(ser) AS row
       FROM (SELECT ser, header ->> 'ns' AS ns, coalesce(header ->> 'type', '') AS type,
                    coalesce((header ->> 'version')::integer, 0) AS version FROM fact) f
      GROUP BY ns, type, version ORDER BY ns, type, version`,
  );
  const days = await storage.admin<{ row: string }>(`SELECT first_ser || '-' || last_ser AS row FROM date2serial`);
  const span = await storage.admin<{ row: string }>(`SELECT min(ser) || '-' || max(ser) AS row FROM fact`);
  return {
    kept: kept.map((r) => r.row),
    counted: counted.map((r) => r.row),
    days: days.map((r) => r.row),
    span: span.map((r) => r.row),
  };
}

describe("the append statement", () => {
  it("keeps catalog and date2serial exact under concurrent group commits, conditional publishes, duplicates, rollbacks and other writers", async () => {
    const appender = new Appender(storage.db.writes, () => {}, storage.health);
    const taken = fact(0);
    await appender.publish({ facts: [taken] });

    const work: Array<Promise<unknown>> = [];
    // Concurrent publishes of 1 to 20 facts of every kind: they share group commits.
    for (let i = 0; i < 60; i++) work.push(appender.publish({ facts: facts(1 + (i % 20), i) }));
    // Publishes holding an id that is stored already: rejected whole, nothing of them counted.
    for (let i = 0; i < 5; i++) {
      work.push(
        appender.publish({ facts: [...facts(3, i), fact(i, taken.header.id)] }).then(
          () => {
            throw new Error("a publish with a stored id succeeded");
          },
          (e: unknown) => expect(e).toBeInstanceOf(DuplicateFactError),
        ),
      );
    }
    // Conditional publishes: the first of each pair uses its token, the second finds it changed.
    for (let i = 0; i < 4; i++) {
      const specs = [{ ns: "app-a", version: 0, aggIds: [], meta: {}, metaKeyExists: {}, aggIdProperties: {} }];
      const token = await stateFor(storage.db.lookups, specs);
      work.push(publishIfUnchanged(storage.db.writes, storage.health, token, { facts: facts(4, i) }));
    }
    // Another writer inserting by hand (FactCast, a migration script): the trigger counts those.
    for (let i = 0; i < 5; i++) {
      const f = fact(i);
      work.push(
        storage.admin(`INSERT INTO fact (header, payload) VALUES ($1::jsonb, $2::json), ($3::jsonb, $4::json)`, [
          JSON.stringify(f.header),
          f.payload.toString(),
          JSON.stringify(fact(i + 1).header),
          "{}",
        ]),
      );
    }
    await Promise.all(work);

    // Appends that roll back (in a transaction the caller aborts) leave nothing counted; a hand
    // insert after the store's append in one transaction is still counted by the trigger.
    const client = await storage.db.writes.connect();
    try {
      await client.query("BEGIN");
      await insertRequests(client, [{ facts: facts(7) }]);
      await client.query("ROLLBACK");
      await client.query("BEGIN");
      await insertRequests(client, [{ facts: facts(6, 2) }]);
      const after = fact(3);
      await client.query(`INSERT INTO fact (header, payload) VALUES ($1::jsonb, '{}')`, [JSON.stringify(after.header)]);
      await client.query("COMMIT");
    } finally {
      client.release();
    }

    const { kept, counted, days, span } = await catalogAgainstFacts();
    expect(counted.length).toBe(KINDS.length);
    expect(kept).toEqual(counted);
    expect(days).toEqual(span);
  });

  it("stamps _ser and _ts into meta, keeps the client's meta, and overrides a _ser or _ts it sent", async () => {
    const plain = fact(0);
    const empty: FactToPublish = { header: { id: randomUUID(), ns: "app-stamp" }, payload: Buffer.from("[]") };
    const forged: FactToPublish = {
      header: { id: randomUUID(), ns: "app-stamp", meta: { _ser: "1", _ts: "2", keep: ["x", "y"] } },
      payload: Buffer.from('  "text"  '),
    };
    const client = await storage.db.writes.connect();
    let outcome;
    try {
      outcome = await insertRequests(client, [{ facts: [plain, empty, forged] }]);
    } finally {
      client.release();
    }
    const serials = "serials" in outcome[0].result ? outcome[0].result.serials : [];
    expect(serials).toHaveLength(3);
    expect(serials[1]).toBe(serials[0] + 1n);
    expect(serials[2]).toBe(serials[0] + 2n);
    const rows = await storage.admin<{ ser: string; header: Record<string, unknown>; payload: string }>(
      `SELECT ser::text, header, payload::text FROM fact WHERE ser = ANY($1::bigint[]) ORDER BY ser`,
      [serials.map(String)],
    );
    const now = Date.now();
    for (const [i, row] of rows.entries()) {
      const meta = row.header.meta as Record<string, unknown>;
      expect(meta._ser).toBe(Number(serials[i]));
      expect(Math.abs((meta._ts as number) - now)).toBeLessThan(60_000);
    }
    expect(rows[0].header.meta).toMatchObject({ n: "0" });
    expect(Object.keys(rows[1].header.meta as object).sort()).toEqual(["_ser", "_ts"]);
    expect(rows[2].header.meta).toMatchObject({ keep: ["x", "y"] });
    expect(rows.map((r) => r.payload)).toEqual([plain.payload.toString(), "[]", '  "text"  ']);
  });

  it("refuses texts that do not split into the announced facts, or counts that do not add up, and stores nothing", async () => {
    const before = await storage.admin<{ n: string }>(`SELECT count(*) AS n FROM fact`);
    const two = facts(2, 100);
    const prefixes = two.map(headerPrefix).join("\u001e");
    const call = (payloads: string, count: number, kinds: unknown) =>
      storage.admin<{ refused: string | null }>(
        `SELECT refused FROM factline_append_joined($1, $2, $3, $4::json, NULL)`,
        [prefixes, payloads, count, JSON.stringify(kinds)],
      );
    // A third payload: the texts split differently.
    await expect(call(`{}\u001e{}\u001e{}`, 2, catalogKinds(two))).rejects.toMatchObject({ code: "22P02" });
    // One payload for two headers.
    await expect(call(`{}`, 2, catalogKinds(two))).rejects.toMatchObject({ code: "22P02" });
    // Catalog counts that do not add up to the facts.
    await expect(call(`{}\u001e{}`, 2, catalogKinds(two.slice(0, 1)))).rejects.toThrow(/kinds count 1 facts/);
    // Fewer facts announced than sent: refused, as a payload PostgreSQL does not take.
    expect(await call(`{}\u001e{}`, 1, catalogKinds(two.slice(0, 1)))).toEqual([
      { refused: "the append received 2 facts where 1 were announced" },
    ]);
    // A payload that is not JSON.
    expect((await call(`{}\u001e{`, 2, catalogKinds(two)))[0].refused).toMatch(/invalid input syntax for type json/);
    const after = await storage.admin<{ n: string }>(`SELECT count(*) AS n FROM fact`);
    expect(after[0].n).toBe(before[0].n);
    const { kept, counted } = await catalogAgainstFacts();
    expect(kept).toEqual(counted);
  });

  it("names the publish whose payload is not JSON and commits the rest of its group", async () => {
    const appender = new Appender(storage.db.writes, () => {}, storage.health);
    const bad = (text: string): FactToPublish => ({ ...fact(7), payload: Buffer.from(text) });
    const outcomes = await Promise.all(
      [
        appender.publish({ facts: facts(3, 200) }),
        appender.publish({ facts: [fact(1), bad('{"open": [1, 2}')] }),
        appender.publish({ facts: facts(2, 300) }),
        appender.publish({ facts: [bad("NaN")] }),
      ].map((p) =>
        p.then(
          (serials) => serials.length,
          (e: unknown) => e as Error,
        ),
      ),
    );
    expect(outcomes[0]).toBe(3);
    expect(outcomes[2]).toBe(2);
    expect(outcomes[1]).toBeInstanceOf(InvalidInputError);
    expect((outcomes[1] as Error).message).toMatch(/^fact\[1\]\.payload is not valid JSON \(/);
    expect((outcomes[3] as Error).message).toMatch(/^fact\[0\]\.payload is not valid JSON \(/);

    // In a conditional publish's transaction, the refusal leaves the transaction usable.
    const client = await storage.db.writes.connect();
    try {
      await client.query("BEGIN");
      const [outcome] = await insertRequests(client, [{ facts: [bad("{")] }]);
      expect("error" in outcome.result && outcome.result.error.message).toMatch(/fact\[0\]\.payload is not valid JSON/);
      const [ok] = await insertRequests(client, [{ facts: facts(1, 400) }]);
      expect("serials" in ok.result && ok.result.serials).toHaveLength(1);
      await client.query("COMMIT");
    } finally {
      client.release();
    }
    const { kept, counted } = await catalogAgainstFacts();
    expect(kept).toEqual(counted);
  });
});
