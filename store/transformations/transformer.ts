/**
 * Turns stored facts into the versions consumers ask for: the chain from the registry, the
 * payload from the cache or from the sandbox (each result validated against the target version's
 * schema), and the header's `version` set to the target — everything else as stored. A chunk of
 * facts costs one cache lookup and one sandbox run per distinct chain, never one per fact.
 */
import { MissingTransformationError, TransformationError } from "../errors";
import type { FactHeader, StoredFact } from "../facts/fact";
import type { Sandbox } from "../sandbox/sandbox";
import type { EngineFailure } from "../sandbox/protocol";
import { describePath } from "./chains";
import type { TransformationCache } from "./cache";
import type { CandidateTransformation, ResolvedChain, TransformationRegistry } from "./registry";

export interface TransformItem {
  fact: StoredFact;
  header: FactHeader;
  /** The versions the consumer accepts for this fact's type (0 never among them). */
  targets: readonly number[];
}

export interface TransformedFact {
  fact: StoredFact;
  /** undefined when the fact already had an accepted version. */
  chain?: ResolvedChain;
  cached: boolean;
}

export class Transformer {
  constructor(
    readonly registry: TransformationRegistry,
    private readonly sandbox: Sandbox,
    private readonly cache: TransformationCache,
  ) {}

  /**
   * The facts, each in an accepted version, in the same order; the first failure (in order) throws.
   * `looked` says the caller found them uncached already (a catch-up read joined to the cache,
   * store/transformations/warm.ts): they are not looked up again, only their results written.
   */
  async transform(items: readonly TransformItem[], signal?: AbortSignal, looked = false): Promise<StoredFact[]> {
    return (await this.run(items, { signal, looked })).map((t) => t.fact);
  }

  /**
   * One fact as `version`, with the chain used. `candidate` replaces what is registered for its key
   * (trying code before registering it); its results are neither read from nor written to the cache.
   */
  async transformOne(
    fact: StoredFact,
    header: FactHeader,
    version: number,
    options: { signal?: AbortSignal; candidate?: CandidateTransformation } = {},
  ): Promise<TransformedFact> {
    const [result] = await this.run([{ fact, header, targets: [version] }], options);
    return result;
  }

  private async run(
    items: readonly TransformItem[],
    options: { signal?: AbortSignal; candidate?: CandidateTransformation; looked?: boolean },
  ): Promise<TransformedFact[]> {
    const results: Array<TransformedFact | undefined> = new Array(items.length);
    const todo: Array<{ index: number; chain: ResolvedChain }> = [];
    items.forEach((item, index) => {
      const version = item.header.version ?? 0;
      if (item.targets.includes(version)) {
        results[index] = { fact: item.fact, cached: false };
        return;
      }
      todo.push({ index, chain: this.chainFor(item, version, options.candidate) });
    });
    if (todo.length === 0) return results as TransformedFact[];

    const useCache = options.candidate === undefined && this.cache.enabled;
    const keyOf = (t: { index: number; chain: ResolvedChain }) => ({
      ser: items[t.index].fact.ser.toString(),
      chain: t.chain.id,
    });
    const cached = useCache && !options.looked ? await this.cache.find(todo.map(keyOf)) : [];
    const byChain = new Map<string, { chain: ResolvedChain; indexes: number[] }>();
    for (const [n, t] of todo.entries()) {
      const payload = cached[n];
      if (payload !== undefined) {
        results[t.index] = { fact: rewritten(items[t.index], t.chain.to, payload), chain: t.chain, cached: true };
        continue;
      }
      const group = byChain.get(t.chain.id) ?? { chain: t.chain, indexes: [] };
      group.indexes.push(t.index);
      byChain.set(t.chain.id, group);
    }

    const failures: TransformationError[] = [];
    let firstFailed = Infinity;
    await Promise.all(
      [...byChain.values()].map(async ({ chain, indexes }) => {
        const payloads = indexes.map((i) => items[i].fact.payload);
        const outcome = await this.sandbox.transform(chain.codes, payloads, chain.schema, options.signal);
        if (!outcome.ok) {
          const index = indexes[Math.max(0, outcome.index)];
          if (index < firstFailed) {
            firstFailed = index;
            failures.unshift(failureOf(items[index], chain, outcome.step, outcome.failure));
          }
          return;
        }
        const fresh = indexes.map((i, n) => {
          const fact = rewritten(items[i], chain.to, outcome.payloads[n]);
          results[i] = { fact, chain, cached: false };
          return {
            ser: fact.ser.toString(),
            chain: chain.id,
            version: chain.to,
            ns: chain.ns,
            type: chain.type,
            header: fact.header,
            payload: fact.payload,
          };
        });
        if (useCache) this.cache.save(fresh);
      }),
    );
    if (failures.length > 0) throw failures[0];
    return results as TransformedFact[];
  }

  private chainFor(item: TransformItem, version: number, candidate?: CandidateTransformation): ResolvedChain {
    const { ns, type, id } = item.header;
    if (typeof type !== "string") {
      throw new MissingTransformationError(
        `fact ${id} (${ns}) has no type, so no transformation applies to it; request version 0 for it`,
      );
    }
    try {
      return candidate
        ? this.registry.chainWith(candidate, ns, type, version, item.targets)
        : this.registry.chain(ns, type, version, item.targets);
    } catch (err) {
      if (err instanceof MissingTransformationError) {
        throw new MissingTransformationError(`fact ${id} (serial ${item.fact.ser}): ${err.message}`);
      }
      throw err;
    }
  }
}

/** The stored fact as `version`: header with the target version, the transformed payload. */
function rewritten(item: TransformItem, version: number, payload: string): StoredFact {
  return { ser: item.fact.ser, header: JSON.stringify({ ...item.header, version }), payload };
}

/**
 * FactCast's TransformationException, naming the fact, the step and the error. `codeStep` counts
 * only the steps with code (those are what the sandbox runs); -1 means no step was running (the
 * result was being written or validated).
 */
function failureOf(
  item: TransformItem,
  chain: ResolvedChain,
  codeStep: number,
  failure: EngineFailure,
): TransformationError {
  const { id, ns, type } = item.header;
  const fact = `fact ${id} (${ns}/${type}, serial ${item.fact.ser})`;
  const path = `chain ${describePath(chain.path)}`;
  const withCode = chain.steps.filter((s) => s.code !== undefined);
  const step = codeStep >= 0 ? withCode[codeStep] : undefined;
  // A step that was stopped from outside (the watchdog, a crash) is not known by its index.
  const where = step
    ? `step ${chain.steps.indexOf(step) + 1} of ${chain.steps.length} (${step.from} → ${step.to}): `
    : failure.kind === "invalid"
      ? `the result for version ${chain.to}: `
      : "";
  return new TransformationError(
    `cannot transform ${fact} from version ${chain.from} to ${chain.to} with ${path}: ${where}${failure.message}`,
  );
}
