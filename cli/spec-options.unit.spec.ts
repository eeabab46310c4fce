import { Command, InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { addFactSpecOptions, addStartOptions, parseAfterPosition, parsePosition, toFactSpecs } from "./spec-options";

const ID = "3f2b8f1e-5c1a-4c8e-9a1b-2f0c5d7e9a10";

function parse(args: string[]) {
  const command = new Command("t").exitOverride().configureOutput({ writeErr: () => {} });
  addStartOptions(addFactSpecOptions(command), "x");
  command.parse(args, { from: "user" });
  return command.opts();
}

describe("toFactSpecs", () => {
  it("selects everything without options, as the Java client would write it", () => {
    expect(toFactSpecs(parse([]))).toEqual([
      {
        ns: "*",
        type: null,
        version: 0,
        aggIds: [],
        meta: {},
        aggIdProperties: {},
        metaKeyExists: {},
        filterScript: null,
      },
    ]);
  });

  it("makes one spec per namespace and type, sharing the other filters", () => {
    const specs = toFactSpecs(
      parse([
        "--ns",
        "a",
        "--ns",
        "b",
        "--type",
        "T",
        "--agg-id",
        ID.toUpperCase(),
        "--meta",
        "k=v=w",
        "--has",
        "h",
        "--lacks",
        "l",
      ]),
    );
    expect(specs.map((s) => [s.ns, s.type])).toEqual([
      ["a", "T"],
      ["b", "T"],
    ]);
    expect(specs[0]).toMatchObject({ aggIds: [ID], meta: { k: "v=w" }, metaKeyExists: { h: true, l: false } });
  });

  it("refuses contradictions and malformed values", () => {
    expect(() => toFactSpecs(parse(["--has", "k", "--lacks", "k"]))).toThrow(InvalidArgumentError);
    expect(() => parse(["--agg-id", "nope"])).toThrow(/UUID/);
    expect(() => parse(["--meta", "novalue"])).toThrow(/key=value/);
    expect(() => parse(["--ns", " "])).toThrow(/blank/);
    expect(() => parse(["--from", "1", "--after", "2"])).toThrow(/cannot be used with/);
  });
});

describe("positions", () => {
  it("reads serials, dates and fact ids", () => {
    expect(parsePosition("1200")).toEqual({ kind: "serial", serial: 1200n });
    expect(parsePosition("2024-02-29")).toMatchObject({ kind: "date", year: 2024, month: 2, day: 29 });
    expect(parsePosition(ID.toUpperCase())).toEqual({ kind: "id", id: ID });
  });

  it("refuses what is none of them", () => {
    expect(() => parsePosition("2023-02-29")).toThrow(/not a calendar date/);
    expect(() => parsePosition("yesterday")).toThrow(/serial/);
    expect(() => parseAfterPosition("2024-01-01")).toThrow(/--from/);
  });
});
