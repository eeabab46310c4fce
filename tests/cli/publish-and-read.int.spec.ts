// publish, catchup, get and the catalog commands, through the real executable against a real store.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { latestSerial, uniqueName, randomUUID } from "../support/facts.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";
import { ndjson, runCli } from "./run-cli.js";

let fixture: StoreFixture;
let url: string;

beforeAll(async () => {
  fixture = await startStoreOnFreshDatabase("cli");
  url = fixture.store.url;
});
afterAll(() => fixture?.close());

const factLine = (header: Record<string, unknown>, payloadText: string) =>
  `{"header":${JSON.stringify(header)},"payload":${payloadText}}`;

describe("publish → catchup", () => {
  it("round-trips payloads byte for byte: whitespace, key order, number spelling, unicode, escapes", async () => {
    const ns = uniqueName("roundtrip");
    const payloads = [
      `{ "z" : 1,   "a" : [ 1.50, 2e3 ,-0 ], "big": 12345678901234567890 }`,
      `{"name":"Zoë Ångström 😀 日本語","esc":"tab\\t quote\\" \\u00e9 \\ud83d\\ude00 slash\\/"}`,
      `[ ]`,
      `"just a string"`,
      `{"nested":{"deep":{"list":[{"a":null},{"b":true}]}},"a":"\u2028 raw separator"}`,
    ];
    const input = payloads.map((p, i) => factLine({ ns, type: `T${i}` }, p)).join("\n") + "\n";
    const published = await runCli(url, ["publish", "-"], { input });
    expect(published.stderr).toBe("");
    expect(published.code).toBe(0);
    const serials = published.stdout.trim().split("\n").map(Number);
    expect(serials).toHaveLength(payloads.length);
    expect(serials).toEqual([...serials].sort((a, b) => a - b));

    const read = await runCli(url, ["catchup", "--ns", ns]);
    expect(read.code).toBe(0);
    expect(read.stderr).toBe(""); // no progress output when stderr is not a terminal
    const lines = read.stdout.trim().split("\n");
    expect(lines).toHaveLength(payloads.length);
    // Each line ends with exactly the payload text that went in.
    lines.forEach((line, i) => expect(line.endsWith(`,"payload":${payloads[i]}}`)).toBe(true));
    const facts = ndjson(read.stdout);
    expect(facts.map((f) => f.header.meta._ser)).toEqual(serials);
  });

  it("re-publishing catchup output stores nothing twice: identical facts succeed, changed ones are duplicates (exit 2)", async () => {
    const ns = uniqueName("dup");
    const first = await runCli(url, ["publish", "--ns", ns, "--type", "T"], { input: `{"n":1}\n{"n":2}\n` });
    expect(first.code).toBe(0);
    const exported = await runCli(url, ["catchup", "--ns", ns]);
    const before = await latestSerial(fixture.client);
    // The same facts again (a retry of a publish whose answer was lost): stored once, serials as before.
    const again = await runCli(url, ["publish"], { input: exported.stdout });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    expect(await latestSerial(fixture.client)).toBe(before);
    // The same ids with other payloads: refused.
    const changed = exported.stdout.replace(/"n":1/, '"n":10');
    const refused = await runCli(url, ["publish"], { input: changed });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^factline: the store rejected the request: DuplicateFactException: duplicate fact id/,
    );
    expect(refused.stderr).toMatch(/lines 1-2 and everything after it was not published/);
    expect(await latestSerial(fixture.client)).toBe(before);
  });

  it("publishes the shorthand form: flags give the header, each line is a payload", async () => {
    const ns = uniqueName("short");
    const aggId = randomUUID();
    const res = await runCli(
      url,
      [
        "publish",
        "--ns",
        ns,
        "--type",
        "OrderPlaced",
        "--version",
        "2",
        "--agg-id",
        aggId,
        "--meta",
        "tenant=acme",
        "--json",
      ],
      {
        input: `{"total": 12.50}\n\n{"total": 3}\n`,
      },
    );
    expect(res.code).toBe(0);
    const out = ndjson(res.stdout) as unknown as Array<{ line: number; id: string; serial: number }>;
    expect(out.map((o) => o.line)).toEqual([1, 3]);
    const read = ndjson(
      (await runCli(url, ["catchup", "--ns", ns, "--agg-id", aggId, "--meta", "tenant=acme"])).stdout,
    );
    expect(read.map((f) => f.header.id)).toEqual(out.map((o) => o.id));
    expect(read[0].header).toMatchObject({
      ns,
      type: "OrderPlaced",
      version: 2,
      aggIds: [aggId],
      meta: { tenant: "acme", _ser: out[0].serial },
    });
  });

  it("publishes more facts than one batch holds, in input order", async () => {
    const ns = uniqueName("many");
    const input = Array.from({ length: 1_234 }, (_, i) => `{"i":${i}}`).join("\n");
    const res = await runCli(url, ["publish", "--ns", ns], { input });
    expect(res.code).toBe(0);
    expect(res.stdout.trim().split("\n")).toHaveLength(1_234);
    const read = ndjson((await runCli(url, ["catchup", "--ns", ns])).stdout);
    expect(read.map((f) => (f.payload as { i: number }).i)).toEqual(Array.from({ length: 1_234 }, (_, i) => i));
  });
});

describe("publish refuses bad input", () => {
  const ns = uniqueName("bad");
  const lines = [
    factLine({ ns, type: "Ok" }, `{"ok":1}`),
    ``,
    factLine({ ns, id: "not-a-uuid" }, `{}`),
    `{"header":{"ns":"${ns}"},"payload":{broken}`,
    factLine({ ns: "  " }, `{}`),
    factLine({ ns, meta: { n: 1 } }, `{}`),
    factLine({ ns, aggIds: ["x"] }, `{}`),
    factLine({ ns, type: "Ok" }, `{"ok":2}`),
  ];
  const input = lines.join("\n") + "\n";

  it("reports every bad line with its number and publishes nothing", async () => {
    const before = await latestSerial(fixture.client);
    const res = await runCli(url, ["publish"], { input });
    expect(res.code).toBe(1);
    expect(res.stdout).toBe("");
    const reported = [...res.stderr.matchAll(/^factline: stdin line (\d+): (.*)$/gm)].map((m) => [Number(m[1]), m[2]]);
    expect(reported.map(([n]) => n)).toEqual([3, 4, 5, 6, 7]);
    expect(reported[0][1]).toMatch(/header.id must be a UUID/);
    expect(reported[1][1]).toMatch(/not valid JSON/);
    expect(reported[2][1]).toMatch(/header.ns must be a non-blank string/);
    expect(reported[3][1]).toMatch(/header.meta.n must be a string or an array of strings/);
    expect(reported[4][1]).toMatch(/header.aggIds\[0\] must be a UUID/);
    expect(res.stderr).toMatch(/nothing was published: 5 of 7 lines are invalid; fix them or use --skip-invalid/);
    expect(await latestSerial(fixture.client)).toBe(before);
  });

  it("--skip-invalid publishes the valid lines and still reports the others", async () => {
    const res = await runCli(url, ["publish", "--skip-invalid"], { input });
    expect(res.code).toBe(0);
    expect(res.stdout.trim().split("\n")).toHaveLength(2);
    expect(res.stderr).toMatch(/stdin line 3:/);
    expect(res.stderr).toMatch(/skipping 5 invalid lines/);
    const read = ndjson((await runCli(url, ["catchup", "--ns", ns])).stdout);
    expect(read.map((f) => f.payload)).toEqual([{ ok: 1 }, { ok: 2 }]);
  });

  it("reads files and names them in messages; a missing file is a usage error", async () => {
    const missing = await runCli(url, ["publish", "/nonexistent/facts.ndjson"]);
    expect(missing).toMatchObject({ code: 1, stdout: "" });
    expect(missing.stderr.trim()).toBe("factline: cannot read /nonexistent/facts.ndjson: no such file");
  });

  it("--dry-run checks without publishing, with --json a parseable summary", async () => {
    const before = await latestSerial(fixture.client);
    const res = await runCli(url, ["publish", "--dry-run", "--json", "--skip-invalid"], { input });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ valid: 2, invalid: 5 });
    expect(await latestSerial(fixture.client)).toBe(before);
  });
});

describe("catchup positions", () => {
  const ns = uniqueName("pos");
  let serials: number[];
  let ids: string[];

  beforeAll(async () => {
    const res = await runCli(url, ["publish", "--ns", ns, "--json"], { input: "1\n2\n3\n4\n" });
    const out = ndjson(res.stdout) as unknown as Array<{ id: string; serial: number }>;
    serials = out.map((o) => o.serial);
    ids = out.map((o) => o.id);
  });

  const payloadsOf = async (args: string[]) => {
    const res = await runCli(url, ["catchup", "--ns", ns, ...args]);
    expect(res.stderr).toBe("");
    return ndjson(res.stdout).map((f) => f.payload);
  };

  it("--from a serial or fact id includes it; --after excludes it", async () => {
    expect(await payloadsOf(["--from", String(serials[1])])).toEqual([2, 3, 4]);
    expect(await payloadsOf(["--from", ids[2]])).toEqual([3, 4]);
    expect(await payloadsOf(["--after", String(serials[1])])).toEqual([3, 4]);
    expect(await payloadsOf(["--after", ids[2]])).toEqual([4]);
    expect(await payloadsOf(["--from", "0"])).toEqual([1, 2, 3, 4]);
  });

  it("--from a date starts with the facts published on that UTC day", async () => {
    const today = new Date().toISOString().slice(0, 10);
    expect(await payloadsOf(["--from", today])).toEqual([1, 2, 3, 4]);
    expect(await payloadsOf(["--from", "2999-01-01"])).toEqual([]);
  });

  it("an unknown fact id is rejected (exit 2) rather than silently replaying everything", async () => {
    const res = await runCli(url, ["catchup", "--after", randomUUID()]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^factline: the store has no fact with id /);
  });
});

describe("get, namespaces, types, versions, info", () => {
  const ns = uniqueName("cat");
  let serial: number;
  let id: string;

  beforeAll(async () => {
    await runCli(url, ["publish", "--ns", ns, "--type", "B", "--version", "1"], { input: "{}\n" });
    await runCli(url, ["publish", "--ns", ns, "--type", "B", "--version", "2"], { input: "{}\n" });
    const res = await runCli(url, ["publish", "--ns", ns, "--type", "A", "--json"], { input: `{"x": [1, 2]}\n` });
    ({ serial, id } = JSON.parse(res.stdout));
  });

  it("get prints one fact by serial or id; --json exactly as stored", async () => {
    const bySerial = await runCli(url, ["get", String(serial), "--json"]);
    const byId = await runCli(url, ["get", id, "--json"]);
    expect(bySerial.code).toBe(0);
    expect(byId.stdout).toBe(bySerial.stdout);
    expect(bySerial.stdout.trim().endsWith(`"payload":{"x": [1, 2]}}`)).toBe(true);
    const pretty = await runCli(url, ["get", String(serial)]);
    expect(JSON.parse(pretty.stdout)).toEqual(JSON.parse(bySerial.stdout));
    expect(pretty.stdout.split("\n").length).toBeGreaterThan(5);
  });

  it("get of a missing fact exits 2", async () => {
    const res = await runCli(url, ["get", "999999999"]);
    expect(res).toMatchObject({ code: 2, stdout: "" });
    expect(res.stderr.trim()).toBe("factline: the store has no fact with serial 999999999");
  });

  it("lists namespaces, types and versions, one per line or as JSON arrays", async () => {
    expect((await runCli(url, ["namespaces"])).stdout.split("\n")).toContain(ns);
    expect(JSON.parse((await runCli(url, ["namespaces", "--json"])).stdout)).toContain(ns);
    expect((await runCli(url, ["types", ns])).stdout).toBe("A\nB\n");
    expect(JSON.parse((await runCli(url, ["--json", "versions", ns, "B"])).stdout)).toEqual([1, 2]);
  });

  it("info shows the handshake, the latest serial and the catalog", async () => {
    const latest = await latestSerial(fixture.client);
    const human = await runCli(url, ["info"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/FactCast protocol 1\.8\.0/);
    expect(human.stdout).toContain(ns);
    const info = JSON.parse((await runCli(url, ["info", "--json"])).stdout);
    expect(info).toMatchObject({ store: url, protocol: "1.8.0", latestSerial: latest });
    expect(info.implementation).toMatch(/^factline-/);
    const rows = info.catalog.filter((r: { ns: string }) => r.ns === ns);
    expect(rows.map((r: { type: string; version: number }) => `${r.type}/${r.version}`)).toEqual(["A/0", "B/1", "B/2"]);
    if (info.counts) expect(rows.map((r: { factCount: number }) => r.factCount)).toEqual([1, 1, 1]);
  });
});
