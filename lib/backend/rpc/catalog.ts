// GetCatalog: namespaces → types → versions. factline's admin catalog has counts, serials and
// times; FactCast's enumerate* calls give the names only (counts_available = false).
import { create } from "@bufbuild/protobuf";
import type { CatalogEntry } from "../../../gen/factline/admin/v1/admin_pb";
import {
  GetCatalogResponseSchema,
  NamespaceSummarySchema,
  TypeSummarySchema,
  VersionSummarySchema,
  type GetCatalogRequest,
  type GetCatalogResponse,
  type NamespaceSummary,
  type TypeSummary,
} from "../../../gen/factline/console/v1/console_pb";
import { isUnimplemented, withAdmin } from "../upstream/capabilities";
import { latestSerial } from "../upstream/factcast";
import { UNARY_TIMEOUT_MS, type Upstream } from "../upstream/upstream";

/**
 * Enumerating a plain FactCast store costs one call per namespace and per type; this many at once
 * finishes quickly without flooding the store.
 */
const ENUMERATE_CONCURRENCY = 8;

export async function getCatalog(upstream: Upstream, req: GetCatalogRequest): Promise<GetCatalogResponse> {
  return withAdmin(
    upstream.capabilities,
    async () => {
      const res = await upstream.catalog.getCatalog({ ns: req.ns }, { timeoutMs: UNARY_TIMEOUT_MS });
      return create(GetCatalogResponseSchema, {
        namespaces: groupEntries(res.entries),
        latestSerial: res.latestSerial,
        countsAvailable: true,
      });
    },
    () => enumerateCatalog(upstream, req.ns),
  );
}

/** Flat admin entries (one per ns, type, version) → the console's tree, sorted, with sums per level. */
export function groupEntries(entries: CatalogEntry[]): NamespaceSummary[] {
  const byNs = new Map<string, Map<string, CatalogEntry[]>>();
  for (const e of entries) {
    const types = byNs.get(e.ns) ?? new Map<string, CatalogEntry[]>();
    byNs.set(e.ns, types);
    types.set(e.type, [...(types.get(e.type) ?? []), e]);
  }
  return sortedKeys(byNs).map((ns) => {
    const typeMap = byNs.get(ns)!;
    const types = sortedKeys(typeMap).map((type) => {
      const versions = typeMap
        .get(type)!
        .slice()
        .sort((a, b) => a.version - b.version)
        .map((e) =>
          create(VersionSummarySchema, {
            version: e.version,
            factCount: e.factCount,
            firstSerial: e.firstSerial,
            lastSerial: e.lastSerial,
            lastPublishedMs: e.lastPublishedMs,
          }),
        );
      return create(TypeSummarySchema, { type, versions, ...totals(versions) });
    });
    return create(NamespaceSummarySchema, { ns, types, ...totals(types) });
  });
}

function totals(parts: { factCount: bigint; lastSerial: bigint; lastPublishedMs: bigint }[]) {
  let factCount = 0n;
  let lastSerial = 0n;
  let lastPublishedMs = 0n;
  for (const p of parts) {
    factCount += p.factCount;
    if (p.lastSerial > lastSerial) lastSerial = p.lastSerial;
    if (p.lastPublishedMs > lastPublishedMs) lastPublishedMs = p.lastPublishedMs;
  }
  return { factCount, lastSerial, lastPublishedMs };
}

/** Names only, from enumerateNamespaces / enumerateTypes / enumerateVersions. */
async function enumerateCatalog(upstream: Upstream, onlyNs: string): Promise<GetCatalogResponse> {
  const call = { timeoutMs: UNARY_TIMEOUT_MS };
  const [all, latest] = await Promise.all([upstream.facts.enumerateNamespaces({}, call), latestSerial(upstream)]);
  const namespaces = [...new Set(all.embeddedString)].filter((ns) => onlyNs === "" || ns === onlyNs).sort();
  const limit = limiter(ENUMERATE_CONCURRENCY);
  const summaries = await Promise.all(
    namespaces.map(async (ns): Promise<NamespaceSummary> => {
      const typeNames = (await limit(() => upstream.facts.enumerateTypes({ embeddedString: ns }, call))).embeddedString;
      const types = await Promise.all(
        [...new Set(typeNames)].sort().map(async (type): Promise<TypeSummary> => {
          const versions = await limit(() => versionsOf(upstream, ns, type));
          return create(TypeSummarySchema, {
            type,
            versions: versions.map((version) => create(VersionSummarySchema, { version })),
          });
        }),
      );
      return create(NamespaceSummarySchema, { ns, types });
    }),
  );
  return create(GetCatalogResponseSchema, { namespaces: summaries, latestSerial: latest, countsAvailable: false });
}

async function versionsOf(upstream: Upstream, ns: string, type: string): Promise<number[]> {
  try {
    const res = await upstream.facts.enumerateVersions({ ns, type }, { timeoutMs: UNARY_TIMEOUT_MS });
    return [...new Set(res.embeddedInteger)].sort((a, b) => a - b);
  } catch (err) {
    // enumerateVersions arrived with protocol 1.8; an older server simply lists no versions.
    if (isUnimplemented(err)) return [];
    throw err;
  }
}

function sortedKeys<V>(map: Map<string, V>): string[] {
  return [...map.keys()].sort();
}

/** Runs at most `n` of the given tasks at once; a finishing task hands its slot to the next waiter. */
function limiter(n: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
