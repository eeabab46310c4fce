// The demo's generated facts: valid against the schemas it will register, coherent, reproducible.
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { examplePayloads } from "../../scripts/demo/examples";
import { FACT_TYPES } from "../../scripts/demo/fact-types";
import { createWorld, history, liveStep } from "../../scripts/demo/generator";
import type { DemoFact } from "../../scripts/demo/world";

const END = Date.parse("2025-06-30T12:00:00Z");
const options = { seed: 42, facts: 2_000, days: 90, end: END };

function generate(seed = options.seed): DemoFact[] {
  const world = createWorld({ ...options, seed });
  return [...history(world, { ...options, seed })].flat();
}

describe("demo history", () => {
  const facts = generate();

  it("has about the requested number of facts", () => {
    expect(facts.length).toBeGreaterThanOrEqual(options.facts);
    expect(facts.length).toBeLessThan(options.facts + 20);
  });

  it("is the same for the same seed and different for another", () => {
    expect(generate()).toEqual(facts);
    expect(generate(43)[0].header.id).not.toBe(facts[0].header.id);
  });

  it("only publishes declared types, and every payload matches its type's schema", () => {
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats(ajv);
    const validators = new Map(FACT_TYPES.map((t) => [`${t.ns}/${t.type}/${t.version}`, ajv.compile(t.schema)]));
    for (const fact of facts) {
      const key = `${fact.header.ns}/${fact.header.type}/${fact.header.version}`;
      const validate = validators.get(key);
      expect(validate, `undeclared type ${key}`).toBeDefined();
      if (!validate!(fact.payload))
        throw new Error(`${key} payload invalid: ${ajv.errorsText(validate!.errors)}\n${JSON.stringify(fact.payload)}`);
    }
    // Every declared type shows up in a history of this size.
    expect(new Set(facts.map((f) => `${f.header.ns}/${f.header.type}/${f.header.version}`))).toEqual(
      new Set(validators.keys()),
    );
  });

  it("keeps simulated time inside the history and in order of publishing for each order", () => {
    const start = END - options.days * 86_400_000;
    const placed = facts
      .filter((f) => f.header.type === "OrderPlaced")
      .map((f) => Date.parse(f.payload.placedAt as string));
    expect(Math.min(...placed)).toBeGreaterThanOrEqual(start);
    expect(Math.max(...placed)).toBeLessThanOrEqual(END);
    // Spread over the whole period, not bunched at one end.
    expect(placed.filter((t) => t < start + (END - start) / 2).length / placed.length).toBeGreaterThan(0.25);
  });

  it("switches OrderPlaced and UserRegistered from v1 to v2 once", () => {
    for (const type of ["OrderPlaced", "UserRegistered"]) {
      const versions = facts.filter((f) => f.header.type === type).map((f) => f.header.version);
      const firstV2 = versions.indexOf(2);
      expect(firstV2).toBeGreaterThan(0);
      expect(versions.slice(firstV2).every((v) => v === 2)).toBe(true);
    }
  });

  it("links facts: order facts carry the order id, orders reference registered customers", () => {
    const registered = new Set(facts.filter((f) => f.header.type === "UserRegistered").map((f) => f.payload.userId));
    const placed = new Map(
      facts.filter((f) => f.header.type === "OrderPlaced").map((f) => [f.payload.orderId as string, f]),
    );
    for (const order of placed.values()) {
      const customerId = (order.payload.customerId ?? (order.payload.customer as { id: string }).id) as string;
      expect(registered.has(customerId)).toBe(true);
      expect(order.header.aggIds).toEqual([order.payload.orderId, customerId]);
    }
    for (const f of facts.filter((f) => ["OrderPaid", "OrderShipped", "OrderCancelled"].includes(f.header.type))) {
      const order = placed.get(f.payload.orderId as string);
      expect(order, `${f.header.type} of an unknown order`).toBeDefined();
      expect(f.header.aggIds).toContain(f.payload.orderId);
      expect(f.header.meta.correlationId).toBe(order!.header.meta.correlationId);
    }
  });

  it("keeps going live, with follow-ups of the seeded orders and fresh ids", () => {
    const world = createWorld(options);
    const seeded = new Set([...history(world, options)].flat().map((f) => f.header.id));
    world.useRandomIds();
    const live = Array.from({ length: 50 }, (_, i) => liveStep(world, END + i * 1000)).flat();
    expect(live.length).toBeGreaterThanOrEqual(50);
    expect(live.some((f) => ["OrderPaid", "OrderShipped", "PaymentReceived"].includes(f.header.type))).toBe(true);
    expect(live.every((f) => !seeded.has(f.header.id))).toBe(true);
  });
});

describe("demo schema examples", () => {
  it("has one example per fact type, each valid against its schema (the store refuses others)", () => {
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats(ajv);
    const examples = examplePayloads(FACT_TYPES);
    for (const t of FACT_TYPES) {
      const example = examples.get(`${t.ns}/${t.type}/${t.version}`);
      expect(example, `no example for ${t.ns}/${t.type} v${t.version}`).toBeDefined();
      expect(ajv.validate(t.schema, JSON.parse(example!)), ajv.errorsText()).toBe(true);
    }
  });
});
