// One example payload per demo fact type, for the registry to show beside each schema. Taken from a
// fixed simulated history, so reruns register the same examples and every example is a payload
// the generator really produces (the store also checks examples against their schema).
import { createWorld, history } from "./generator";
import type { FactType } from "./fact-types";

/**
 * The history tests/demo/generator.unit.spec.ts checks: with this seed and size every declared
 * fact type shows up, so every type gets an example.
 */
const EXAMPLE_HISTORY = { seed: 42, facts: 2_000, days: 90, end: Date.parse("2025-06-30T12:00:00Z") };

const keyOf = (t: { ns: string; type: string; version: number }) => `${t.ns}/${t.type}/${t.version}`;

/** ns/type/version → one example payload (JSON text); a type the history lacks gets none. */
export function examplePayloads(types: readonly FactType[]): Map<string, string> {
  const wanted = new Set(types.map(keyOf));
  const examples = new Map<string, string>();
  for (const facts of history(createWorld(EXAMPLE_HISTORY), EXAMPLE_HISTORY)) {
    for (const fact of facts) {
      const key = keyOf(fact.header);
      if (wanted.has(key) && !examples.has(key)) examples.set(key, JSON.stringify(fact.payload));
    }
    if (examples.size === wanted.size) break;
  }
  return examples;
}

export function exampleFor(examples: Map<string, string>, type: FactType): string[] {
  const example = examples.get(keyOf(type));
  return example === undefined ? [] : [example];
}
