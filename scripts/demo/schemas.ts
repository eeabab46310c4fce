// Registers the demo's schemas (fact-types.ts) before seeding, so a newcomer finds the registry
// filled and every demo fact validated on publish. Idempotent: a schema already registered the
// same way is "unchanged". A store without the registry (a plain FactCast server, or
// FACTLINE_ADMIN_SERVICES=off) is told in one line and the demo goes on without it.
//
// Two types change shape half-way through the history — shop/OrderPlaced and users/UserRegistered
// v1 → v2 rename and restructure required fields — so the registry holds real breaking changes:
// after seeding, the demo shows the classified diff and a dry run of v2 over the stored facts.
import { Code, ConnectError } from "@connectrpc/connect";
import type { StoreClient } from "../../factcast/client";
import { isUnimplemented } from "../../factcast/errors";
import { ChangeKind } from "../../gen/factline/admin/v1/schemas_pb";
import { exampleFor, examplePayloads } from "./examples";
import { ORDER_PLACED_V1, ORDER_PLACED_V2, type FactType } from "./fact-types";
import { formatCount } from "./output";

/**
 * The pair the demo explains after seeding: v2 replaces v1's required customerId, items, total and
 * currency with customer, lines, totals and more, so neither side can read or write the other.
 */
export const BREAKING_PAIR = { from: ORDER_PLACED_V1, to: ORDER_PLACED_V2 };

/**
 * Facts the post-seed dry run reads at most: keeps a large `--facts` demo starting in seconds;
 * the line it prints says when it stopped early.
 */
const DRY_RUN_LIMIT = 50_000;

export interface SchemaRegistration {
  /** false: the store has no schema registry; nothing else is set. */
  available: boolean;
  registered: number;
  unchanged: number;
  /** "ns/type vN" of versions the store holds with a different schema (left as they are). */
  conflicts: string[];
}

const label = (t: FactType) => `${t.ns}/${t.type} v${t.version}`;

export async function registerSchemas(
  store: StoreClient,
  types: readonly FactType[],
  signal?: AbortSignal,
): Promise<SchemaRegistration> {
  const result: SchemaRegistration = { available: true, registered: 0, unchanged: 0, conflicts: [] };
  const examples = examplePayloads(types);
  for (const t of types) {
    try {
      const res = await store.registry.registerSchema(
        {
          key: { ns: t.ns, type: t.type, version: t.version },
          schemaJson: JSON.stringify(t.schema),
          description: typeof t.schema.title === "string" ? t.schema.title : "",
          examples: exampleFor(examples, t),
        },
        { signal },
      );
      if (res.unchanged) result.unchanged++;
      else result.registered++;
    } catch (err) {
      if (isUnimplemented(err)) return { available: false, registered: 0, unchanged: 0, conflicts: [] };
      // Someone registered this version differently (an older demo, by hand): theirs stays;
      // the store will judge the demo's facts of it against their schema.
      if (err instanceof ConnectError && err.code === Code.FailedPrecondition) result.conflicts.push(label(t));
      else throw err;
    }
  }
  return result;
}

/** The one line `npm run demo` prints about the registry. */
export function describeRegistration(r: SchemaRegistration): string {
  if (!r.available)
    return "schemas: this store has no schema registry (a plain FactCast server, or FACTLINE_ADMIN_SERVICES=off); publishing without validation";
  const parts = [
    ...(r.registered > 0 ? [`${r.registered} registered`] : []),
    ...(r.unchanged > 0 ? [`${r.unchanged} already registered`] : []),
    ...(r.conflicts.length > 0
      ? [`${r.conflicts.length} registered differently and left as they are (${r.conflicts.join(", ")})`]
      : []),
  ];
  return `schemas: ${parts.join(", ")}; facts are validated on publish`;
}

/**
 * What an admin would see registering the breaking version today: its classified changes against
 * v1 and how many stored facts of the type fail it (the v1 ones, which is why it is a new version).
 */
export async function describeBreakingChange(store: StoreClient, signal?: AbortSignal): Promise<string[]> {
  const { from, to } = BREAKING_PAIR;
  const key = { ns: to.ns, type: to.type, version: to.version };
  const check = await store.registry.checkCandidate(
    { key, schemaJson: JSON.stringify(to.schema), compareToVersion: from.version, dryRunLimit: DRY_RUN_LIMIT },
    { signal },
  );
  // A removed field is the change readers feel first, so it makes the best example.
  const breaking = check.changes
    .filter((c) => c.breakingForReaders || c.breakingForWriters)
    .sort((x, y) => Number(y.kind === ChangeKind.FIELD_REMOVED) - Number(x.kind === ChangeKind.FIELD_REMOVED));
  const dryRun = check.dryRun;
  const checked = dryRun?.incomplete ? `the first ${formatCount(dryRun.checked)}` : formatCount(dryRun?.checked ?? 0n);
  const whom = [check.breakingForReaders ? "readers" : "", check.breakingForWriters ? "writers" : ""]
    .filter(Boolean)
    .join(" and ");
  return [
    `breaking change: ${to.ns}/${to.type} v${from.version} → v${to.version}: ${breaking.length} of ${check.changes.length} changes break ${whom || "nobody"}, e.g. ${breaking[0]?.description ?? "-"}`,
    `  dry run of v${to.version}: ${formatCount(dryRun?.failed ?? 0n)} of ${checked} stored ${to.ns}/${to.type} facts would fail it (the v${from.version} ones)`,
    `  see: npx factline schema compare ${to.ns} ${to.type} ${from.version} ${to.version}   (or Schemas in the console)`,
  ];
}
