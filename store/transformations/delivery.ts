/**
 * The delivery stage of a subscription: between the facts the database (or the live tail) matched
 * and the client, it turns facts into the versions the specs ask for and applies what SQL cannot —
 * filter scripts, and aggIdProperties of specs asking for another version (checked on the payload
 * as delivered, as FactCast's post-query filter does). A subscription whose specs need neither has
 * no stage at all: its facts go out exactly as read, pre-encoded live frames included.
 */
import { FilterScriptError, InvalidInputError } from "../errors";
import type { FactHeader, StoredFact } from "../facts/fact";
import type { FactSpec } from "../facts/spec";
import type { Sandbox } from "../sandbox/sandbox";
import { matches } from "../subscriptions/matcher";
import type { TransformationCache } from "./cache";
import type { Transformer } from "./transformer";

/** Facts in serial order in, the facts to send out (transformed, filtered) in the same order. */
export type DeliveryStage = (
  facts: StoredFact[],
  headers: FactHeader[] | undefined,
  signal: AbortSignal,
) => Promise<StoredFact[]>;

export interface DeliveryDeps {
  transformer: Transformer;
  sandbox: Sandbox;
  /** Whose scripts these are: compiled scripts are kept apart per account (docs/sandbox.md). */
  scope: string;
  /** Its writes pace the transformations (TransformationCache.paced); none: not paced. */
  cache?: TransformationCache;
}

/** The stage for these specs, or undefined when every fact can go out as read. */
export function deliveryStage(specs: FactSpec[], deps: DeliveryDeps): DeliveryStage | undefined {
  const versions = requestedVersions(specs);
  const postFiltered = specs.map(needsPostFilter);
  if (!versions && !postFiltered.some(Boolean)) return undefined;
  return async (facts, headers, signal) => {
    let out = facts;
    let outHeaders = headers ?? facts.map((f) => JSON.parse(f.header) as FactHeader);
    if (versions) {
      const items = [];
      const at: number[] = [];
      for (let i = 0; i < facts.length; i++) {
        const targets = targetsFor(versions, outHeaders[i]);
        if (!targets) continue;
        items.push({ fact: facts[i], header: outHeaders[i], targets });
        at.push(i);
      }
      if (items.length > 0) {
        // Results not outrunning the cache's writes: store/transformations/warm.ts says why.
        await deps.cache?.paced(signal);
        const transformed = await deps.transformer.transform(items, signal);
        out = facts.slice();
        outHeaders = outHeaders.slice();
        // The headers as delivered matter only to a post-filter: otherwise not parsed again.
        const reparse = postFiltered.some(Boolean);
        transformed.forEach((fact, n) => {
          out[at[n]] = fact;
          if (reparse) outHeaders[at[n]] = JSON.parse(fact.header) as FactHeader;
        });
      }
    }
    if (!postFiltered.some(Boolean)) return out;
    return postFilter(specs, postFiltered, out, outHeaders, deps, signal);
  };
}

/**
 * FactCast's requested versions: per (ns, type) of the specs that name a type, the versions asked
 * for. Undefined when every such set contains 0 ("as published"): nothing is ever transformed.
 */
export function requestedVersions(specs: FactSpec[]): Map<string, Set<number>> | undefined {
  const wanted = new Map<string, Set<number>>();
  for (const spec of specs) {
    if (spec.type === undefined) continue;
    const key = `${spec.ns}\u0000${spec.type}`;
    if (!wanted.has(key)) wanted.set(key, new Set());
    wanted.get(key)!.add(spec.version);
  }
  return [...wanted.values()].some((v) => !v.has(0)) ? wanted : undefined;
}

/** The versions a fact must be turned into, or undefined when it goes out as it is. */
function targetsFor(wanted: Map<string, Set<number>>, header: FactHeader): number[] | undefined {
  if (typeof header.type !== "string") return undefined;
  const exact = wanted.get(`${header.ns}\u0000${header.type}`);
  const anyNs = wanted.get(`*\u0000${header.type}`);
  if (!exact && !anyNs) return undefined;
  const versions = new Set([...(exact ?? []), ...(anyNs ?? [])]);
  const own = header.version ?? 0;
  if (versions.has(0) || versions.has(own)) return undefined;
  return [...versions];
}

/** A spec SQL cannot decide alone: it has a script, or payload conditions on another version. */
export function needsPostFilter(spec: FactSpec): boolean {
  return spec.filterScript !== undefined || (spec.version !== 0 && Object.keys(spec.aggIdProperties).length > 0);
}

/**
 * Keeps the facts some spec accepts as delivered: a spec without post-conditions by the same
 * rules as SQL; one with them when the fact has the spec's version (or it asks for 0), matches
 * everything else, and then its script returns true. Scripts run last, in one sandbox run per
 * distinct script for the facts still undecided.
 */
async function postFilter(
  specs: FactSpec[],
  postFiltered: boolean[],
  facts: StoredFact[],
  headers: FactHeader[],
  deps: DeliveryDeps,
  signal: AbortSignal,
): Promise<StoredFact[]> {
  const pass = new Array<boolean>(facts.length).fill(false);
  // Per script source: the facts waiting for its answer, and the first spec that has it.
  const waiting = new Map<string, { spec: number; facts: number[] }>();
  facts.forEach((fact, i) => {
    let body: unknown;
    const payload = () => (body ??= JSON.parse(fact.payload));
    const header = headers[i];
    const scripts: string[] = [];
    for (let s = 0; s < specs.length; s++) {
      const spec = specs[s];
      if (!postFiltered[s]) {
        if (matches(spec, header, payload)) {
          pass[i] = true;
          return;
        }
        continue;
      }
      if (spec.version !== 0 && (header.version ?? 0) !== spec.version) continue;
      if (!matches({ ...spec, version: 0 }, header, payload)) continue;
      if (spec.filterScript === undefined) {
        pass[i] = true;
        return;
      }
      if (!scripts.includes(spec.filterScript)) scripts.push(spec.filterScript);
      if (!waiting.has(spec.filterScript)) waiting.set(spec.filterScript, { spec: s, facts: [] });
    }
    for (const source of scripts) waiting.get(source)!.facts.push(i);
  });
  for (const [source, { spec, facts: asked }] of waiting) {
    const undecided = asked.filter((i) => !pass[i]);
    if (undecided.length === 0) continue;
    const outcome = await deps.sandbox.filter(
      source,
      deps.scope,
      undecided.map((i) => ({ header: facts[i].header, payload: facts[i].payload })),
      signal,
    );
    if (!outcome.ok) {
      const i = undecided[Math.max(0, outcome.index)];
      const { id, ns, type } = headers[i];
      throw new FilterScriptError(
        `the filter script of specs[${spec}] failed on fact ${id} (${ns}/${type ?? "-"}, serial ${facts[i].ser}): ${outcome.failure.message}; the subscription ends here — fix the script and subscribe again after the last fact received`,
      );
    }
    outcome.pass.forEach((ok, n) => {
      if (ok) pass[undecided[n]] = true;
    });
  }
  return facts.filter((_, i) => pass[i]);
}

/**
 * Refuses a subscription whose filter script cannot run, before it starts: INVALID_ARGUMENT with
 * the compiler's words (line and column within the script).
 */
export async function checkFilterScripts(specs: FactSpec[], sandbox: Sandbox): Promise<void> {
  const checked = new Set<string>();
  for (const [i, spec] of specs.entries()) {
    if (spec.filterScript === undefined || checked.has(spec.filterScript)) continue;
    checked.add(spec.filterScript);
    const failure = await sandbox.checkFilter(spec.filterScript);
    if (failure) throw new InvalidInputError(`specs[${i}].filterScript cannot be used: ${failure.message}`);
  }
}
