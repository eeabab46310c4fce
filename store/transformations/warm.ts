/**
 * The delivery stage of a catch-up whose specs ask for other versions and nothing else of the
 * store (no filter script, no payload condition on the version asked for): its rows come from one
 * query joined to the transformation cache (store/storage/read.ts, CacheJoin), so a cached fact
 * arrives already as the version asked for — header and payload as PostgreSQL sent them, copied into
 * the frame unread like an untransformed fact. Only the rows the query marks as needing a
 * transformation are decoded and handed to the transformer (store/transformations/transformer.ts),
 * whose results take their places; every other row goes out as read.
 */
import type { FactHeader } from "../facts/fact";
import type { FactSpec } from "../facts/spec";
import type { FactRows } from "../storage/fact-rows";
import { MARK_HIT, MARK_STALE_HIT, MARK_TRANSFORM, type CacheJoin } from "../storage/read";
import type { CacheKey } from "../storage/transformation-cache/keys";
import type { TransformationCache } from "./cache";
import { needsPostFilter, requestedVersions } from "./delivery";
import type { TransformationRegistry } from "./registry";
import type { TransformItem, Transformer } from "./transformer";

export interface WarmStage extends CacheJoin {
  /** The rows of one read as they go out: marked rows transformed in place, the rest untouched. */
  deliver(rows: FactRows, signal: AbortSignal): Promise<FactRows>;
}

export interface WarmDeps {
  transformer: Transformer;
  cache: TransformationCache;
}

/**
 * The stage for these specs, or undefined when the catch-up needs the general delivery stage
 * (store/transformations/delivery.ts): nothing to transform, a post-filter, a spec for every
 * namespace (a fact's versions then depend on two specs' sets), or the cache turned off.
 */
export function warmStage(specs: FactSpec[], deps: WarmDeps): WarmStage | undefined {
  const versions = requestedVersions(specs);
  if (!versions || !deps.cache.enabled || specs.some(needsPostFilter)) return undefined;
  if (specs.some((s) => s.ns === "*" && s.type !== undefined)) return undefined;
  const registry: TransformationRegistry = deps.transformer.registry;

  return {
    plan() {
      const token = registry.generation;
      const wanted: Record<string, Record<string, Record<string, number | [number, string]>>> = {};
      const chains: string[] = [];
      for (const [key, accepted] of versions) {
        if (accepted.has(0)) continue;
        const [ns, type] = key.split("\u0000");
        const byVersion: Record<string, number | [number, string]> = {};
        for (const v of accepted) byVersion[v] = 0;
        const targets = [...accepted];
        const known = new Set(registry.edges(ns, type).flatMap((e) => [e.from, e.to]));
        for (const from of known) {
          if (accepted.has(from)) continue;
          try {
            const chain = registry.chain(ns, type, from, targets);
            byVersion[from] = [chain.to, chain.id];
            chains.push(chain.id);
          } catch {
            // No chain: such facts are marked for the transformer, which fails them with FactCast's words.
          }
        }
        (wanted[ns] ??= {})[type] = byVersion;
      }
      return { wanted: JSON.stringify(wanted), chains, token };
    },

    holds(token) {
      return registry.generation === token;
    },

    async deliver(rows, signal) {
      let hits = 0;
      const stale: CacheKey[] = [];
      const items: TransformItem[] = [];
      const at: number[] = [];
      for (let i = 0; i < rows.length; i++) {
        const mark = rows.mark(i);
        if (mark === 0) continue;
        if (mark === MARK_HIT) {
          hits++;
        } else if (mark === MARK_STALE_HIT) {
          hits++;
          stale.push({ ser: rows.ser(i).toString(), chain: rows.markText(i).slice(2) });
        } else if (mark === MARK_TRANSFORM) {
          const fact = rows.storedFact(i);
          const header = JSON.parse(fact.header) as FactHeader;
          const accepted = versions.get(`${header.ns}\u0000${header.type}`);
          if (!accepted) continue;
          items.push({ fact, header, targets: [...accepted] });
          at.push(i);
        }
      }
      deps.cache.served(hits, items.length, stale);
      if (items.length === 0) return rows;
      // A cold read must not outrun the cache's writes (its results would be skipped, and the
      // next reader transform them again): wait, bounded, until they have room.
      await deps.cache.paced(signal);
      // The read found them uncached (or of a version without a planned chain): no second lookup.
      const transformed = await deps.transformer.transform(items, signal, true);
      transformed.forEach((fact, n) => rows.replace(at[n], fact));
      return rows;
    },
  };
}
