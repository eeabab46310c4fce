import { payloadValue, type FactToPublish } from "../facts/fact";
import { DatabaseUnavailableError, DuplicateFactError, InvalidInputError } from "../errors";
import type { DbClient } from "./db";
import type { DatabaseHealth } from "./health";

// The writers' lock: FactCast's advisory key 128, so factline and FactCast writers on one database
// also coordinate. See fact_serialize_writers in migrations/001_facts.sql for why it is exclusive.
const BEGIN_WRITING = "BEGIN; SELECT pg_advisory_xact_lock(128)";

/** Opens a transaction on `client` holding the writers' lock (for writes that check before inserting). */
export async function beginWriting(client: DbClient): Promise<void> {
  await client.query(BEGIN_WRITING);
}

// migrations/080 and 081: lock, registry check, serials, stamps, insert, duplicate detection, json
// check of the payloads, catalog, date2serial and notification in one call (one round trip, one
// statement, one commit). The payloads go as one binary parameter: the bytes the clients sent.
const APPEND = `SELECT first_serial AS "firstSerial", existing_ids AS "existingIds", stale, refused
                  FROM factline_append_joined($1::text, $2::text, $3::integer, $4::json, $5::bigint)`;
// A named statement: node-postgres sends its Parse once per connection and PostgreSQL keeps the parsed
// and planned statement, instead of parsing and planning it again for every group of publishes.
const APPEND_STATEMENT = "factline_append_joined_v1";
// Joins the facts' texts in the append's parameters; JSON text never contains it (see migrations/080,
// and store/facts/fact.ts for payloads).
const SEPARATOR = "\u001e";
const SEPARATOR_BYTE = 0x1e;

// A registry change between validation and insert costs one retry; several in a row mean this
// instance cannot read the registry, which must fail the publish rather than spin.
const MAX_STALE_RETRIES = 5;

export interface PublishRequest {
  facts: FactToPublish[];
  /** The schema registry generation these facts were validated against (undefined: not validated). */
  registryGeneration?: bigint;
}

/** What the appender needs from the schema registry to never commit against an outdated copy. */
export interface RegistryGuard {
  currentGeneration(): bigint | undefined;
  /** Validates again against the current copy; rejects with the validation error. */
  check(facts: FactToPublish[]): Promise<bigint | undefined>;
  refresh(): Promise<void>;
}

export interface PublishOutcome {
  request: PublishRequest;
  /** Serials in the order of request.facts, or the error that rejected the whole request. */
  result: { serials: bigint[] } | { error: Error };
}

/**
 * Inserts the facts of several publish requests with one statement (its own transaction when
 * `client` has none open). Each request is atomic: a request with a duplicate id — in the store, in
 * itself, or in an earlier request of the same group — is rejected whole; the others are written.
 *
 * A request whose facts are all stored already, each identical to the stored one (header apart from
 * meta._ser/_ts, payload byte for byte), succeeds with the stored serials and writes nothing: that
 * is a retry of a publish that was committed when its connection broke, so its client learns that
 * it is stored instead of being told it published a duplicate. Any other overlap is a duplicate.
 */
export async function insertRequests(
  client: DbClient,
  requests: PublishRequest[],
  registry?: RegistryGuard,
): Promise<PublishOutcome[]> {
  const stored = new Set<string>();
  const invalid = new Map<PublishRequest, Error>();
  const alreadyStored = new Map<PublishRequest, bigint[]>();
  for (let stale = 0; ;) {
    const generation = registry?.currentGeneration();
    if (generation !== undefined) await revalidate(requests, generation, registry!, invalid);
    const plan = planGroup(requests, stored, invalid, alreadyStored);
    const eligible = plan.filter((p) => p.error === undefined && !alreadyStored.has(p.request)).map((p) => p.request);
    const facts = eligible.flatMap((r) => r.facts);
    if (facts.length === 0) return plan.map(outcomeWithout(alreadyStored));
    const { rows } = await client.query<AppendRow>({
      name: APPEND_STATEMENT,
      text: APPEND,
      values: [
        facts.map(headerPrefix).join(SEPARATOR),
        joinedPayloads(facts),
        facts.length,
        JSON.stringify(catalogKinds(facts)),
        generation?.toString() ?? null,
      ],
    });
    const [row] = rows;
    if (row.stale) {
      // The registry changed since these facts were validated: nothing was written; catch up and
      // validate again before the next attempt.
      if (++stale > MAX_STALE_RETRIES) {
        throw new Error("the schema registry keeps changing (or cannot be read) while publishing; retry the publish");
      }
      await registry!.refresh();
      continue;
    }
    if (row.refused !== null) {
      // PostgreSQL refused a payload and nothing was written: name the publishes at fault and try
      // the rest again.
      refuseCulprits(eligible, row.refused, invalid);
      continue;
    }
    const existing = row.existingIds?.map((id) => id.toLowerCase()) ?? [];
    if (existing.length > 0) {
      // Nothing was written: drop the publishes holding those ids and try the rest again.
      existing.forEach((id) => stored.add(id));
      await findRepublished(client, eligible, stored, alreadyStored);
      continue;
    }
    const serials = new Map<PublishRequest, bigint[]>(alreadyStored);
    let next = row.firstSerial!;
    for (const request of eligible)
      serials.set(
        request,
        request.facts.map(() => next++),
      );
    return plan.map(outcomeWithout(serials));
  }
}

interface AppendRow {
  firstSerial: bigint | null;
  existingIds: string[] | null;
  stale: boolean;
  refused: string | null;
}

/** The payloads' bytes joined by U+001E, as the append's binary text parameter. */
function joinedPayloads(facts: FactToPublish[]): Buffer {
  let length = facts.length - 1;
  for (const f of facts) length += f.payload.length;
  const out = Buffer.allocUnsafe(length);
  let at = 0;
  facts.forEach((f, i) => {
    if (i > 0) out[at++] = SEPARATOR_BYTE;
    at += f.payload.copy(out, at);
  });
  return out;
}

/**
 * Marks in `invalid` the publishes whose payloads are not JSON, with the parser's words and the
 * fact's position, after PostgreSQL refused the group with `refused`. When no payload fails to
 * parse here, the refusal belongs to the only publish there is — or, in a group, to one the caller
 * must find by committing each alone (RefusedGroupError).
 */
function refuseCulprits(requests: PublishRequest[], refused: string, invalid: Map<PublishRequest, Error>): void {
  let found = false;
  for (const request of requests) {
    try {
      request.facts.forEach((fact, i) => payloadValue(fact, i));
    } catch (err) {
      invalid.set(request, err as Error);
      found = true;
    }
  }
  if (found) return;
  if (requests.length > 1) throw new RefusedGroupError(refused);
  invalid.set(requests[0], refusedByDatabase(refused));
}

/** PostgreSQL refused something in a group of publishes that the store cannot pin on one of them. */
export class RefusedGroupError extends Error {
  override name = "RefusedGroupError";
}

function refusedByDatabase(message: string): InvalidInputError {
  return new InvalidInputError(
    `PostgreSQL cannot store a fact of this publish (${message}); check the headers and payloads for text it refuses`,
  );
}

/**
 * A fact's header as JSON text, `meta` last and cut off inside it right after `"_ser":`, where the
 * append statement writes the serial and `_ts` (migrations/080). A `_ser` or `_ts` the header's
 * meta holds already is overridden: of a key given twice, jsonb keeps the last.
 */
export function headerPrefix({ header }: FactToPublish): string {
  const { meta, ...rest } = header;
  const head = JSON.stringify(rest);
  const own = meta === undefined ? "{}" : JSON.stringify(meta);
  return `${head.slice(0, -1)},"meta":${own === "{}" ? "{" : `${own.slice(0, -1)},`}"_ser":`;
}

interface CatalogKind {
  ns: string;
  type: string;
  version: number;
  count: number;
  /** Position of the kind's first and last fact in the call (0-based). */
  first: number;
  last: number;
}

/** The call's facts per catalog row (ns, type or '', version or 0), as the append statement adds them. */
export function catalogKinds(facts: FactToPublish[]): CatalogKind[] {
  const kinds = new Map<string, CatalogKind>();
  facts.forEach(({ header }, i) => {
    const type = header.type ?? "";
    const version = header.version ?? 0;
    const key = `${header.ns}\u0000${type}\u0000${version}`;
    const kind = kinds.get(key);
    if (kind) {
      kind.count++;
      kind.last = i;
    } else {
      kinds.set(key, { ns: header.ns, type, version, count: 1, first: i, last: i });
    }
  });
  return [...kinds.values()];
}

// The stored facts identical to the given ones: same id, same header once the store's own stamps are
// left out (jsonb equality: key order and spacing do not count), the payload text byte for byte.
const STORED_COPIES = `
  SELECT i.id::text AS id, f.ser
    FROM unnest($1::uuid[], $2::jsonb[], $3::text[]) AS i(id, header, payload)
    JOIN fact f ON (f.header ->> 'id')::uuid = i.id
   WHERE (f.header #- '{meta,_ser}' #- '{meta,_ts}') = (i.header #- '{meta,_ser}' #- '{meta,_ts}')
     AND f.payload::text = i.payload`;

/** The serials of those of `facts` that are stored identically, by id. */
async function storedCopies(client: DbClient, facts: FactToPublish[]): Promise<Map<string, bigint>> {
  if (facts.length === 0) return new Map();
  const { rows } = await client.query<{ id: string; ser: bigint }>(STORED_COPIES, [
    facts.map((f) => f.header.id),
    facts.map((f) => JSON.stringify(f.header)),
    facts.map((f) => f.payload.toString("utf8")),
  ]);
  return new Map(rows.map((r) => [r.id.toLowerCase(), r.ser]));
}

/** The stored serials when every fact of `request` is stored identically (a re-publish), else undefined. */
export async function republishedSerials(client: DbClient, request: PublishRequest): Promise<bigint[] | undefined> {
  // A request naming one id twice is a duplicate in itself, never a re-publish.
  if (new Set(request.facts.map((f) => f.header.id)).size !== request.facts.length) return undefined;
  const copies = await storedCopies(client, request.facts);
  const serials = request.facts.map((f) => copies.get(f.header.id));
  return serials.every((ser) => ser !== undefined) ? (serials as bigint[]) : undefined;
}

/** Marks in `alreadyStored` the requests all of whose facts are stored identically (a re-publish). */
async function findRepublished(
  client: DbClient,
  requests: PublishRequest[],
  stored: Set<string>,
  alreadyStored: Map<PublishRequest, bigint[]>,
): Promise<void> {
  for (const request of requests) {
    if (!request.facts.every((f) => stored.has(f.header.id))) continue;
    const serials = await republishedSerials(client, request);
    if (serials) alreadyStored.set(request, serials);
  }
}

/** Validates again the requests that were checked against an older registry generation. */
async function revalidate(
  requests: PublishRequest[],
  generation: bigint,
  registry: RegistryGuard,
  invalid: Map<PublishRequest, Error>,
): Promise<void> {
  for (const request of requests) {
    if (request.registryGeneration === generation || invalid.has(request)) continue;
    try {
      request.registryGeneration = await registry.check(request.facts);
    } catch (err) {
      invalid.set(request, err as Error);
    }
  }
}

interface PlannedRequest {
  request: PublishRequest;
  error?: Error;
}

/** Which requests of a group can go in, knowing the ids `stored` already; earlier requests win. */
function planGroup(
  requests: PublishRequest[],
  stored: Set<string>,
  invalid: Map<PublishRequest, Error>,
  alreadyStored: Map<PublishRequest, bigint[]>,
): PlannedRequest[] {
  const taken = new Set(stored);
  return requests.map((request) => {
    const error = invalid.get(request);
    if (error) return { request, error };
    if (alreadyStored.has(request)) return { request };
    const seen = new Set<string>();
    const duplicates: string[] = [];
    for (const { header } of request.facts) {
      if (taken.has(header.id) || seen.has(header.id)) duplicates.push(header.id);
      seen.add(header.id);
    }
    if (duplicates.length > 0) return { request, error: new DuplicateFactError(duplicates) };
    seen.forEach((id) => taken.add(id));
    return { request };
  });
}

function outcomeWithout(serials: Map<PublishRequest, bigint[]>) {
  return ({ request, error }: PlannedRequest): PublishOutcome =>
    error ? { request, result: { error } } : { request, result: { serials: serials.get(request) ?? [] } };
}

// When the connection breaks while a publish's commit is under way, nobody knows whether it
// committed. The store finds out by itself for this long — waiting for PostgreSQL, then sending the
// same publish again (an identical re-publish succeeds without writing) — before it answers
// UNAVAILABLE with "outcome unknown". Well inside the 10 s a FactCast client's calls usually allow.
export const RESOLVE_UNKNOWN_MS = 5_000;
const RESOLVE_SPACING_MS = 100;

/** Runs `attempt`; while it fails with an unknown outcome, runs it again once PostgreSQL answers. */
export async function resolvingUnknownOutcome<T>(health: DatabaseHealth, attempt: () => Promise<T>): Promise<T> {
  for (let deadline: number | undefined; ;) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof DatabaseUnavailableError && err.outcomeUnknown)) throw err;
      deadline ??= Date.now() + RESOLVE_UNKNOWN_MS;
      await health.waitUntilReachable(deadline).catch(() => {
        throw err;
      });
      await new Promise((r) => setTimeout(r, RESOLVE_SPACING_MS));
      if (Date.now() >= deadline) throw err;
    }
  }
}

/** A publish that never reached the database. */
export function publishNotStored(cause: unknown): DatabaseUnavailableError {
  return new DatabaseUnavailableError("the store cannot reach its database, nothing was published; retry shortly", {
    cause,
  });
}

/** A publish whose commit was under way when the connection broke. */
export function publishOutcomeUnknown(cause: unknown): DatabaseUnavailableError {
  return new DatabaseUnavailableError(
    "the connection to the database broke while this publish was being committed, so it may or may not be stored; publish the same facts again (same ids): an identical re-publish succeeds whether or not the first one was stored",
    { cause, outcomeUnknown: true },
  );
}

// PostgreSQL error classes that mean "the client's data cannot be stored", e.g. an invalid Unicode
// escape that JavaScript's JSON.parse accepts but PostgreSQL's json input rejects.
const DATA_EXCEPTION_CLASS = "22";

export function translateInsertError(err: unknown): Error {
  const code = (err as { code?: string }).code;
  if (typeof code === "string" && code.startsWith(DATA_EXCEPTION_CLASS))
    return refusedByDatabase((err as Error).message);
  if (err instanceof RefusedGroupError) return refusedByDatabase(err.message);
  return err as Error;
}
