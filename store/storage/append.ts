import type { FactToPublish } from "../facts/fact";
import { DuplicateFactError, InvalidInputError } from "../errors";
import type { Db, DbClient } from "./db";

// The writers' lock: FactCast's advisory key 128, so factline and FactCast writers on one database
// also coordinate. See fact_serialize_writers in migrations/001_facts.sql for why it is exclusive.
const BEGIN_WRITING = "BEGIN; SELECT pg_advisory_xact_lock(128)";

/** Opens a transaction on `client` holding the writers' lock (for writes that check before inserting). */
export async function beginWriting(client: DbClient): Promise<void> {
  await client.query(BEGIN_WRITING);
}

// migrations/002 and 003: lock, registry check, duplicate check, serials, stamps and insert in one call.
const APPEND = `SELECT serial, existing_id AS "existingId", stale
                  FROM factline_append($1::uuid[], $2::jsonb[], $3::text[], $4::bigint)`;

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
  /** Validates again against the current copy; throws the validation error. */
  check(facts: FactToPublish[]): bigint | undefined;
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
 */
export async function insertRequests(
  client: DbClient,
  requests: PublishRequest[],
  registry?: RegistryGuard,
): Promise<PublishOutcome[]> {
  const stored = new Set<string>();
  const invalid = new Map<PublishRequest, Error>();
  for (let stale = 0; ;) {
    const generation = registry?.currentGeneration();
    if (generation !== undefined) revalidate(requests, generation, registry!, invalid);
    const plan = planGroup(requests, stored, invalid);
    const eligible = plan.filter((p) => p.error === undefined).map((p) => p.request);
    const facts = eligible.flatMap((r) => r.facts);
    if (facts.length === 0) return plan.map(outcomeWithout(new Map()));
    const { rows } = await client.query<{ serial: string | null; existingId: string | null; stale: boolean }>(APPEND, [
      facts.map((f) => f.header.id),
      facts.map((f) => JSON.stringify(f.header)),
      facts.map((f) => f.payload),
      generation?.toString() ?? null,
    ]);
    if (rows[0]?.stale) {
      // The registry changed since these facts were validated: nothing was written; catch up and
      // validate again before the next attempt.
      if (++stale > MAX_STALE_RETRIES) {
        throw new Error("the schema registry keeps changing (or cannot be read) while publishing; retry the publish");
      }
      await registry!.refresh();
      continue;
    }
    const existing = rows.filter((r) => r.existingId !== null).map((r) => r.existingId!.toLowerCase());
    if (existing.length > 0) {
      // Nothing was written: drop the publishes holding those ids and try the rest again.
      existing.forEach((id) => stored.add(id));
      continue;
    }
    const serials = new Map<PublishRequest, bigint[]>();
    let next = 0;
    for (const request of eligible)
      serials.set(
        request,
        request.facts.map(() => BigInt(rows[next++].serial!)),
      );
    return plan.map(outcomeWithout(serials));
  }
}

/** Validates again the requests that were checked against an older registry generation. */
function revalidate(
  requests: PublishRequest[],
  generation: bigint,
  registry: RegistryGuard,
  invalid: Map<PublishRequest, Error>,
) {
  for (const request of requests) {
    if (request.registryGeneration === generation || invalid.has(request)) continue;
    try {
      request.registryGeneration = registry.check(request.facts);
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
): PlannedRequest[] {
  const taken = new Set(stored);
  return requests.map((request) => {
    const error = invalid.get(request);
    if (error) return { request, error };
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

// How much one group commit may carry. Bounded so that one transaction's parameter arrays stay in
// the tens of megabytes and a flood of publishes cannot build one giant transaction.
const MAX_GROUP_FACTS = 5_000;
const MAX_GROUP_BYTES = 32 * 1024 * 1024;

interface Pending {
  request: PublishRequest;
  bytes: number;
  resolve: (serials: bigint[]) => void;
  reject: (err: Error) => void;
}

/**
 * Group commit: publishes that arrive while a transaction is running wait and then share the next
 * one, so concurrent single-fact publishers pay one lock, one round trip set and one fsync per group
 * instead of per fact. An idle store commits a lone publish immediately (no added latency).
 */
export class Appender {
  private queue: Pending[] = [];
  private running = false;

  constructor(
    private readonly db: Db,
    private readonly onCommitted: () => void,
    private readonly registry?: RegistryGuard,
  ) {}

  publish(request: PublishRequest): Promise<bigint[]> {
    if (request.facts.length === 0) return Promise.resolve([]);
    const bytes = request.facts.reduce((n, f) => n + f.payload.length + 256, 0);
    return new Promise((resolve, reject) => {
      this.queue.push({ request, bytes, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  /** Resolves once every publish accepted so far has been committed or rejected. */
  async idle(): Promise<void> {
    while (this.running || this.queue.length > 0) await new Promise((r) => setTimeout(r, 10));
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const group = this.takeGroup();
        await this.commitGroup(group);
      }
    } finally {
      this.running = false;
    }
  }

  private takeGroup(): Pending[] {
    const group: Pending[] = [this.queue.shift()!];
    let facts = group[0].request.facts.length;
    let bytes = group[0].bytes;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (facts + next.request.facts.length > MAX_GROUP_FACTS || bytes + next.bytes > MAX_GROUP_BYTES) break;
      group.push(this.queue.shift()!);
      facts += next.request.facts.length;
      bytes += next.bytes;
    }
    return group;
  }

  private async commitGroup(group: Pending[]): Promise<void> {
    try {
      const outcomes = await this.inOwnTransaction(group.map((p) => p.request));
      this.onCommitted();
      outcomes.forEach((o, i) => settle(group[i], o));
    } catch (err) {
      if (group.length === 1) {
        group[0].reject(translateInsertError(err));
        return;
      }
      // Something other than a duplicate broke the shared transaction (e.g. text PostgreSQL refuses).
      // Retry each publish alone so only the culprit fails.
      for (const pending of group) await this.commitGroup([pending]);
    }
  }

  private async inOwnTransaction(requests: PublishRequest[]): Promise<PublishOutcome[]> {
    // No explicit transaction: the append statement is one (one round trip for the whole group).
    const client = await this.db.connect();
    try {
      return await insertRequests(client, requests, this.registry);
    } finally {
      client.release();
    }
  }
}

function settle(pending: Pending, outcome: PublishOutcome): void {
  if ("error" in outcome.result) pending.reject(outcome.result.error);
  else pending.resolve(outcome.result.serials);
}

// PostgreSQL error classes that mean "the client's data cannot be stored", e.g. an invalid Unicode
// escape that JavaScript's JSON.parse accepts but PostgreSQL's json input rejects.
const DATA_EXCEPTION_CLASS = "22";

export function translateInsertError(err: unknown): Error {
  const code = (err as { code?: string }).code;
  if (typeof code === "string" && code.startsWith(DATA_EXCEPTION_CLASS)) {
    return new InvalidInputError(
      `PostgreSQL cannot store a fact of this publish (${(err as Error).message}); check the headers and payloads for text it refuses`,
    );
  }
  return err as Error;
}
