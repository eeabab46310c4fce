import { describe, expect, it } from "vitest";
import { parseLine, toWireFact, type Shorthand } from "./fact-input";

const ID = "3f2b8f1e-5c1a-4c8e-9a1b-2f0c5d7e9a10";
const error = (text: string, shorthand?: Shorthand) => {
  const result = parseLine(text, shorthand);
  return result.ok ? undefined : result.error;
};

describe("parseLine (NDJSON facts)", () => {
  it("keeps the payload text exactly as written", () => {
    const payload = `{ "b" : 2,  "a":"ü\\u00e9😀", "n": 12345678901234567890 }`;
    const result = parseLine(`{"header":{"ns":"shop"}, "payload":${payload}  }`);
    expect(result).toMatchObject({ ok: true, fact: { payload } });
  });

  it("generates an id only when the line has none", () => {
    const given = parseLine(`{"header":{"id":"${ID.toUpperCase()}","ns":"shop"},"payload":{}}`);
    const missing = parseLine(`{"header":{"ns":"shop"},"payload":{}}`);
    if (!given.ok || !missing.ok) throw new Error("expected valid lines");
    expect(toWireFact(given.fact).id).toBe(ID);
    const wire = toWireFact(missing.fact);
    expect(JSON.parse(wire.header)).toEqual({ id: wire.id, ns: "shop" });
  });

  it("drops the store's own meta (_ser, _ts) so catchup output can be re-published", () => {
    const result = parseLine(`{"header":{"ns":"a","meta":{"_ser":5,"_ts":1,"k":["x","y"]}},"payload":{}}`);
    expect(result.ok && result.fact.header.meta).toEqual({ k: ["x", "y"] });
  });

  it.each([
    ["not json", /not valid JSON/],
    ["[1]", /expected an object/],
    [`{"header":{"ns":"a"}}`, /"payload" is missing/],
    [`{"payload":{}}`, /"header" is missing/],
    [`{"header":{"ns":"a"},"payload":{},"x":1}`, /unexpected key "x"/],
    [`{"header":{"ns":""},"payload":{}}`, /header.ns must be a non-blank string/],
    [`{"header":{"ns":"a","id":"1"},"payload":{}}`, /header.id must be a UUID/],
    [`{"header":{"ns":"a","type":1},"payload":{}}`, /header.type must be a string/],
    [`{"header":{"ns":"a","version":-1},"payload":{}}`, /header.version must be an integer/],
    [`{"header":{"ns":"a","version":1.5},"payload":{}}`, /header.version must be an integer/],
    [`{"header":{"ns":"a","aggIds":"x"},"payload":{}}`, /header.aggIds must be an array/],
    [`{"header":{"ns":"a","aggIds":["x"]},"payload":{}}`, /header.aggIds\[0\] must be a UUID/],
    [`{"header":{"ns":"a","meta":{"k":1}},"payload":{}}`, /header.meta.k must be a string or an array of strings/],
    [`{"header":{"ns":"a"},"payload":{"t":"\\u0000"}}`, /payload.t contains \\u0000/],
    [`{"header":{"ns":"a"},"payload":{"t":"\\ud800"}}`, /unpaired UTF-16 surrogate/],
  ])("refuses %s", (line, message) => {
    expect(error(line)).toMatch(message);
  });
});

describe("parseLine (shorthand: payload lines)", () => {
  const shorthand: Shorthand = { ns: "shop", type: "OrderPlaced", version: 2, aggIds: [ID], meta: { tenant: "acme" } };

  it("takes the header from the flags and the line as the payload", () => {
    const result = parseLine(`  {"total": 12.50}  `, shorthand);
    expect(result).toEqual({
      ok: true,
      fact: {
        header: { ns: "shop", type: "OrderPlaced", version: 2, aggIds: [ID], meta: { tenant: "acme" } },
        payload: `{"total": 12.50}`,
      },
    });
  });

  it("refuses a payload that is not JSON", () => {
    expect(error("{total: 1}", shorthand)).toMatch(/payload is not valid JSON/);
  });
});
