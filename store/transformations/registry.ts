/**
 * This instance's view of the transformations: every registered one, and the chains computed
 * from them with the schema registry's versions (synthetic identity downcasts between adjacent
 * versions). It follows changes made through any instance: the transformation table notifies on
 * change (migrations/060) and every instance reloads; a local change refreshes before it answers.
 */
import { createHash } from "node:crypto";
import { MissingTransformationError } from "../errors";
import { log } from "../log";
import type { SchemaRegistry } from "../schemas/registry";
import type { Db } from "../storage/db";
import type { NotificationListener } from "../storage/listener";
import { listTransformations } from "../storage/transformations/list";
import type { TransformationKey } from "../storage/transformations/types";
import { describePath, edgesOf, findChain, missingUpcasts, reachableVersions, type Chain, type Edge } from "./chains";

/** Notified by the triggers of migrations/060 on every change of a type's transformations or schemas. */
const TRANSFORMATION_CHANNEL = "factline_transformation";
// Chains asked for per (ns, type, from, requested versions). A consumer asks for few combinations;
// the bound only stops a hostile caller from growing the map without end.
const MAX_CACHED_CHAINS = 10_000;

/** A chain ready to run: its steps' code, the target's schema, and the id the cache keys results by. */
export interface ResolvedChain extends Chain {
  ns: string;
  type: string;
  /** The code of the steps that have code, in order (identity steps have none). */
  codes: string[];
  /** The target version's schema, when one is registered; results are validated against it. */
  schema?: { key: string; text: string };
  /** Hash of the path, the codes and the target schema: cached results are keyed by it. */
  id: string;
}

/** A transformation to use in place of (or beside) what is registered, e.g. a candidate being tried. */
export interface CandidateTransformation extends TransformationKey {
  code?: string;
}

const typeKey = (ns: string, type: string) => `${ns}\u0000${type}`;

export class TransformationRegistry {
  private byType = new Map<string, Array<{ from: number; to: number; code?: string }>>();
  private readonly chains = new Map<string, ResolvedChain | Error>();
  private reloading?: Promise<void>;
  private again = false;
  private changes = 0;

  constructor(
    private readonly db: Db,
    listener: NotificationListener,
    private readonly schemas: SchemaRegistry,
  ) {
    listener.on(TRANSFORMATION_CHANNEL, {
      onNotify: () => void this.refresh(),
      onResync: () => void this.refresh(),
    });
    schemas.onChange(() => {
      this.chains.clear();
      this.changes++;
    });
  }

  /** Counts changes of the chains (transformations or schemas reloaded): a plan made at one count holds while it stays. */
  get generation(): number {
    return this.changes;
  }

  /** The first load, at start. */
  async load(): Promise<void> {
    this.apply(await listTransformations(this.db, {}));
  }

  /** Reloads; concurrent calls coalesce into at most one more reload. */
  refresh(): Promise<void> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      try {
        do {
          this.again = false;
          this.apply(await listTransformations(this.db, {}));
        } while (this.again);
      } catch (err) {
        log.warn("could not reload the transformations", { error: (err as Error).message });
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  private apply(records: Awaited<ReturnType<typeof listTransformations>>): void {
    const byType = new Map<string, Array<{ from: number; to: number; code?: string }>>();
    for (const r of records) {
      const key = typeKey(r.ns, r.type);
      if (!byType.has(key)) byType.set(key, []);
      byType.get(key)!.push({ from: r.from, to: r.to, code: r.code });
    }
    this.byType = byType;
    this.chains.clear();
    this.changes++;
  }

  /** The graph of a type: registered transformations (with `candidate` in its place) and synthetic downcasts. */
  edges(ns: string, type: string, candidate?: CandidateTransformation): Edge[] {
    let registered = this.byType.get(typeKey(ns, type)) ?? [];
    if (candidate && candidate.ns === ns && candidate.type === type) {
      registered = [
        ...registered.filter((t) => t.from !== candidate.from || t.to !== candidate.to),
        { from: candidate.from, to: candidate.to, code: candidate.code },
      ];
    }
    return edgesOf(registered, this.schemas.versionsOf(ns, type));
  }

  /**
   * The chain that turns a fact of `from` into one of `targets` (none of which is `from`), or
   * MissingTransformationError. Cached until the type's transformations or schemas change.
   */
  chain(ns: string, type: string, from: number, targets: readonly number[]): ResolvedChain {
    const key = `${typeKey(ns, type)}\u0000${from}\u0000${[...targets].sort((a, b) => a - b).join(",")}`;
    let found = this.chains.get(key);
    if (!found) {
      try {
        found = this.resolve(ns, type, from, targets);
      } catch (err) {
        found = err as Error;
      }
      if (this.chains.size >= MAX_CACHED_CHAINS) this.chains.clear();
      this.chains.set(key, found);
    }
    if (found instanceof Error) throw found;
    return found;
  }

  /** The same as chain(), computed afresh with `candidate` in the graph (never cached). */
  chainWith(
    candidate: CandidateTransformation,
    ns: string,
    type: string,
    from: number,
    targets: readonly number[],
  ): ResolvedChain {
    return this.resolve(ns, type, from, targets, candidate);
  }

  /** Every version a fact of `from` can be had in (its own included). */
  reachable(ns: string, type: string, from: number, candidate?: CandidateTransformation): number[] {
    return reachableVersions(this.edges(ns, type, candidate), from);
  }

  /** Upcasts consumers lack between adjacent schema versions; `extraVersion` counts as registered. */
  missing(ns: string, type: string, extraVersion?: number): Array<[number, number]> {
    const versions = this.schemas.versionsOf(ns, type);
    if (extraVersion !== undefined && !versions.includes(extraVersion)) versions.push(extraVersion);
    const registered = this.byType.get(typeKey(ns, type)) ?? [];
    return missingUpcasts(edgesOf(registered, versions), versions);
  }

  private resolve(
    ns: string,
    type: string,
    from: number,
    targets: readonly number[],
    candidate?: CandidateTransformation,
  ): ResolvedChain {
    const edges = this.edges(ns, type, candidate);
    const chain = findChain(edges, from, targets);
    if (!chain) {
      const wanted = targets.length === 1 ? `version ${targets[0]}` : `any of versions ${targets.join(", ")}`;
      const known =
        edges.length === 0
          ? "no transformations are registered for this type"
          : "no chain of transformations leads there";
      throw new MissingTransformationError(
        `cannot reach ${wanted} from version ${from} for ${ns}/${type}: ${known}; register the transformations (factline schema transform register) or request the published version`,
      );
    }
    const codes = chain.steps.flatMap((s) => (s.code === undefined ? [] : [s.code]));
    const text = this.schemas.schemaText({ ns, type, version: chain.to });
    const schema = text === undefined ? undefined : { key: hash([ns, type, String(chain.to), text]), text };
    // The type is part of the id: the cache keys entries by serial and chain, and a catch-up serves
    // an entry whose chain is among those it planned (store/storage/read.ts), so one id must never
    // name the same path of identity steps for two types.
    const id = hash([
      ns,
      type,
      describePath(chain.path),
      ...chain.steps.map((s) => s.code ?? "\u0000identity"),
      schema?.key ?? "",
    ]);
    return { ...chain, ns, type, codes, schema, id };
  }
}

function hash(parts: readonly string[]): string {
  const h = createHash("sha256");
  for (const part of parts) h.update(`${part.length}\u0000${part}\u0000`);
  return h.digest("base64url").slice(0, 22);
}
