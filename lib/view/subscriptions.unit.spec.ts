import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { SubscriptionSpecSchema } from "../../gen/factline/admin/v1/operations_pb";
import { describeSpec, describeSpecs, endReasonProblem, formatDuration, lagTone, namespacesOf } from "./subscriptions";

const AGG = "5f0c1e2a-1111-4222-8333-444455556666";
const spec = (init: Parameters<typeof create<typeof SubscriptionSpecSchema>>[1]) =>
  create(SubscriptionSpecSchema, init);

describe("a spec in words", () => {
  it("reads like the sentence an operator would say", () => {
    expect(
      describeSpec(spec({ ns: "shop", type: "OrderPlaced", version: 2, aggIds: [AGG], meta: { tenant: "acme" } })),
    ).toBe("shop / OrderPlaced v2, aggregate 5f0c1e2a…, meta tenant=acme");
    expect(describeSpec(spec({ ns: "shop", aggIds: [AGG] }), { full: true })).toBe(`shop / any type, aggregate ${AGG}`);
    expect(describeSpec(spec({ ns: "*" }))).toBe("every namespace / any type");
  });

  it("names every condition a spec sets, in a stable order", () => {
    expect(
      describeSpec(
        spec({
          ns: "billing",
          type: "Invoice",
          aggIds: [AGG, "b"],
          meta: { z: "1", a: "2" },
          metaKeyExists: { gdpr: false, source: true },
          aggIdProperties: { "customer.id": AGG },
          filterScript: "function (h, p) { return true }",
        }),
      ),
    ).toBe(
      "billing / Invoice, aggregates 5f0c1e2a… and b, meta a=2, z=1, lacks meta gdpr, has meta source, payload customer.id = 5f0c1e2a…, filtered by a script",
    );
  });

  it("shows two specs of many, and says how many more", () => {
    const specs = ["a", "b", "c", "d"].map((ns) => spec({ ns }));
    expect(describeSpecs(specs)).toEqual({ lines: ["a / any type", "b / any type"], more: 2 });
    expect(describeSpecs([])).toEqual({ lines: ["nothing (no specs)"], more: 0 });
    expect(namespacesOf([spec({ ns: "a" }), spec({ ns: "a" }), spec({ ns: "*" })])).toEqual(["a", "*"]);
  });
});

describe("durations", () => {
  it("reads at a glance from milliseconds to days", () => {
    expect(formatDuration(0)).toBe("0 ms");
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(4_240n)).toBe("4.2 s");
    expect(formatDuration(37_900)).toBe("37 s");
    expect(formatDuration(250_000)).toBe("4 min 10 s");
    expect(formatDuration(3 * 3_600_000 + 5 * 60_000)).toBe("3 h 5 min");
    expect(formatDuration(52 * 3_600_000)).toBe("2 d 4 h");
    expect(formatDuration(-5)).toBe("0 ms");
  });

  it("marks a lag far when the oldest waiting fact waited more than five beats", () => {
    expect(lagTone(0n, 0n)).toBe("none");
    expect(lagTone(3n, 1_000n)).toBe("some");
    expect(lagTone(3n, 10_001n)).toBe("far");
    expect(lagTone(3n, 2_000n, 300)).toBe("far");
  });
});

describe("an end reason", () => {
  it("is one line of at most 500 characters, as the store takes it", () => {
    expect(endReasonProblem("")).toBeUndefined();
    expect(endReasonProblem("  stuck consumer  ")).toBeUndefined();
    expect(endReasonProblem("x".repeat(500))).toBeUndefined();
    expect(endReasonProblem("x".repeat(501))).toBe("The reason is 501 characters long; the store keeps at most 500.");
    expect(endReasonProblem("two\nlines")).toBe("Write the reason on one line, without tabs or line breaks.");
    expect(endReasonProblem("tab\there")).toBe("Write the reason on one line, without tabs or line breaks.");
    // Trailing whitespace is trimmed before the store sees it, newlines included.
    expect(endReasonProblem("ok\n")).toBeUndefined();
  });
});
