import type { ServiceHandlers } from "../grpc/service";
import {
  TransformationService,
  type RegisterTransformationRequest,
  type TransformationKey as WireKey,
} from "../../gen/factline/admin/v1/transformations_pb";
import { auditTransformationChanges } from "../audit/transformation-changes";
import { requireRead, requireSchemas } from "../auth/permissions";
import { principalOf } from "../auth/principal";
import {
  ConflictError,
  InvalidInputError,
  MissingTransformationError,
  NotFoundError,
  TransformationError,
} from "../errors";
import type { FactHeader, StoredFact } from "../facts/fact";
import * as lookup from "../storage/lookup";
import { listSchemas } from "../storage/schemas";
import { deleteTransformation } from "../storage/transformations/delete";
import { getTransformation, transformationHistory } from "../storage/transformations/get";
import { listTransformations } from "../storage/transformations/list";
import { registerTransformation } from "../storage/transformations/register";
import type { TransformationKey, TransformationRecord } from "../storage/transformations/types";
import { canonicalUuid } from "../../factcast/uuid";
import type { StoreRuntime } from "../store";
import { edgesOf, missingUpcasts } from "../transformations/chains";
import { checkTransformation, DEFAULT_SAMPLE_LIMIT, MAX_SAMPLE_LIMIT } from "../transformations/check";
import { MAX_CODE_CHARS } from "../transformations/layout";
import type { CandidateTransformation } from "../transformations/registry";
import { guarded } from "./errors";

/** Transformations over gRPC: register, list, get, delete, check, try on a fact, stats. */
export function createTransformationService(store: StoreRuntime): ServiceHandlers<typeof TransformationService> {
  const db = store.db.lookups;
  const { registry, transformer, cache } = store.transformations;

  /** The code of a request, checked: compiles to a function, present for upcasts, not huge. */
  async function requireCode(key: TransformationKey, code: string): Promise<string | undefined> {
    if (code.length > MAX_CODE_CHARS) {
      throw new InvalidInputError(
        `code is ${code.length} characters; a transformation may have at most ${MAX_CODE_CHARS}`,
      );
    }
    if (code.trim() === "") {
      if (key.to > key.from) {
        throw new InvalidInputError(
          `an upcast (${key.from} → ${key.to}) needs code: a function that changes the payload in place, e.g. function (e) { e.newField = "default"; }`,
        );
      }
      return undefined;
    }
    const failure = await store.sandbox.checkTransformation(code);
    if (failure) throw new InvalidInputError(`code does not compile: ${failure.message}`);
    return code;
  }

  const handlers: ServiceHandlers<typeof TransformationService> = {
    async registerTransformation(req, ctx) {
      const key = requireKey(req.key);
      const principal = principalOf(ctx);
      requireSchemas(principal, [key.ns]);
      if (!store.registry.has({ ns: key.ns, type: key.type, version: key.to })) {
        throw new InvalidInputError(
          `no schema is registered for ${key.ns}/${key.type} version ${key.to}; register it first, so that results can be validated`,
        );
      }
      const code = await requireCode(key, req.code);
      if (req.force && req.reason.trim() === "") {
        throw new InvalidInputError("force needs a reason: say why a registered transformation must change");
      }
      const outcome = await registerTransformation(
        db,
        { ...key, code, description: req.description, registeredBy: principal.account },
        req.force ? { reason: req.reason } : undefined,
      );
      if (outcome === "conflict") {
        throw new ConflictError(
          `${describe(key)} is registered with different code; registered code is immutable: ` +
            `replace it with force and a reason (its history keeps the old code)`,
        );
      }
      // This instance delivers with the new chains before it answers; others follow via NOTIFY.
      await registry.refresh();
      const stored = await getTransformation(db, key);
      return {
        transformation: toWire(stored!),
        replaced: outcome === "replaced",
        unchanged: outcome === "unchanged",
      };
    },

    async listTransformations(req, ctx) {
      const principal = principalOf(ctx);
      const filter = { ns: req.ns || undefined, type: req.type || undefined };
      if (filter.ns) requireRead(principal, [filter.ns]);
      const [registered, schemas] = await Promise.all([
        listTransformations(db, { ...filter, withCode: false }),
        listSchemas(db, filter),
      ]);
      const types = new Map<
        string,
        { ns: string; type: string; versions: number[]; registered: TransformationRecord[] }
      >();
      const typeOf = (ns: string, type: string) => {
        const id = `${ns}\u0000${type}`;
        if (!types.has(id)) types.set(id, { ns, type, versions: [], registered: [] });
        return types.get(id)!;
      };
      for (const s of schemas) typeOf(s.ns, s.type).versions.push(s.version);
      for (const t of registered) typeOf(t.ns, t.type).registered.push(t);
      const transformations = [];
      const missing = [];
      for (const t of [...types.values()].sort((a, b) => compare(a.ns, b.ns) || compare(a.type, b.type))) {
        if (!principal.mayRead(t.ns)) continue;
        const edges = edgesOf(t.registered, t.versions);
        for (const edge of edges) {
          const record = t.registered.find((r) => r.from === edge.from && r.to === edge.to);
          transformations.push(
            record ? toWire(record) : { key: wireKey({ ns: t.ns, type: t.type, ...edge }), synthetic: true },
          );
        }
        for (const [from, to] of missingUpcasts(edges, t.versions)) {
          missing.push({ key: wireKey({ ns: t.ns, type: t.type, from, to }), reason: missingReason(from, to) });
        }
      }
      return { transformations, missing };
    },

    async getTransformation(req, ctx) {
      const key = requireKey(req.key);
      requireRead(principalOf(ctx), [key.ns]);
      const stored = await getTransformation(db, key);
      if (!stored) throw new NotFoundError(`no transformation is registered for ${describe(key)}`);
      const history = await transformationHistory(db, key);
      return {
        transformation: toWire(stored),
        history: history.map((h) => ({ ...h, code: h.code ?? "", registeredMs: BigInt(h.registeredMs) })),
      };
    },

    async deleteTransformation(req, ctx) {
      const key = requireKey(req.key);
      requireSchemas(principalOf(ctx), [key.ns]);
      if ((await deleteTransformation(db, key)) === "absent") {
        throw new NotFoundError(`no transformation is registered for ${describe(key)}`);
      }
      await registry.refresh();
      return {};
    },

    async checkTransformation(req, ctx) {
      const key = requireKey(req.key);
      // The check reads stored facts of the namespace.
      requireRead(principalOf(ctx), [key.ns]);
      if (req.sampleLimit < 0 || req.sampleLimit > MAX_SAMPLE_LIMIT) {
        throw new InvalidInputError(
          `sample_limit must be from 0 (the default, ${DEFAULT_SAMPLE_LIMIT}) to ${MAX_SAMPLE_LIMIT}`,
        );
      }
      const code = req.code.trim() === "" ? undefined : req.code;
      if (code === undefined && key.to > key.from) {
        throw new InvalidInputError(`an upcast (${key.from} → ${key.to}) needs code to check`);
      }
      if (code !== undefined && code.length > MAX_CODE_CHARS) {
        throw new InvalidInputError(
          `code is ${code.length} characters; a transformation may have at most ${MAX_CODE_CHARS}`,
        );
      }
      const report = await checkTransformation(
        { db, reads: store.db.reads, sandbox: store.sandbox, schemas: store.registry },
        key,
        code,
        { sampleLimit: req.sampleLimit || DEFAULT_SAMPLE_LIMIT, signal: ctx.signal },
      );
      return {
        ...report,
        checked: BigInt(report.checked),
        passed: BigInt(report.passed),
        failed: BigInt(report.failed),
        examplesChecked: BigInt(report.examplesChecked),
        firstFailures: report.firstFailures.map((f) => ({
          source: f.source,
          serial: f.serial ?? 0n,
          factId: f.factId ?? "",
          message: f.message,
          errors: f.errors.map((e) => ({ pointer: e.pointer, message: e.message })),
        })),
      };
    },

    async transformFact(req, ctx) {
      const fact = await findFact(store, req.factId, req.serial);
      const header = JSON.parse(fact.header) as FactHeader;
      requireRead(principalOf(ctx), [header.ns]);
      if (!Number.isInteger(req.version) || req.version < 0) {
        throw new InvalidInputError(`version must be 0 (as published) or more, got ${req.version}`);
      }
      const candidate = req.candidate ? await candidateOf(req.candidate) : undefined;
      const own = header.version ?? 0;
      const type = typeof header.type === "string" ? header.type : undefined;
      const reachable = type ? registry.reachable(header.ns, type, own, candidate) : [own];
      const answer = {
        headerJson: fact.header,
        payloadJson: fact.payload,
        reachableVersions: reachable,
      };
      if (req.version === 0 || req.version === own) {
        return { ...answer, transformedHeaderJson: fact.header, transformedPayloadJson: fact.payload };
      }
      try {
        const result = await transformer.transformOne(fact, header, req.version, { signal: ctx.signal, candidate });
        return {
          ...answer,
          transformedHeaderJson: result.fact.header,
          transformedPayloadJson: result.fact.payload,
          chain: (result.chain?.steps ?? []).map((s) => ({
            fromVersion: s.from,
            toVersion: s.to,
            hasCode: s.code !== undefined,
            synthetic: s.synthetic,
          })),
          cached: result.cached,
        };
      } catch (err) {
        if (err instanceof MissingTransformationError) {
          return { ...answer, failure: err.message, failureKind: "missing" };
        }
        if (err instanceof TransformationError) {
          const chain = type ? chainSteps(header.ns, type, own, req.version, candidate) : [];
          return { ...answer, failure: err.message, failureKind: "transformation", chain };
        }
        throw err;
      }
    },

    async getTransformationStats() {
      const sandbox = store.sandbox.stats();
      const counters = cache.stats();
      const size = cache.enabled ? await cache.size() : { bytes: 0, entries: 0 };
      return {
        transformRuns: BigInt(sandbox.runs.transform),
        transformedFacts: BigInt(sandbox.items.transform),
        filterRuns: BigInt(sandbox.runs.filter),
        filteredFacts: BigInt(sandbox.items.filter),
        failures: BigInt(Object.values(sandbox.failures).reduce((a, b) => a + b, 0)),
        workerRestarts: BigInt(sandbox.restarts),
        cacheHits: BigInt(counters.hits),
        cacheMisses: BigInt(counters.misses),
        cacheWrites: BigInt(counters.writes),
        cacheBytes: BigInt(size.bytes),
        cacheEntries: BigInt(size.entries),
        cacheBoundBytes: BigInt(cache.boundBytes),
      };
    },
  };

  /** A try-it candidate: a key and code, checked like a registration (but never stored). */
  async function candidateOf(req: RegisterTransformationRequest): Promise<CandidateTransformation> {
    const key = requireKey(req.key);
    return { ...key, code: await requireCode(key, req.code) };
  }

  function chainSteps(ns: string, type: string, from: number, to: number, candidate?: CandidateTransformation) {
    try {
      const chain = candidate
        ? registry.chainWith(candidate, ns, type, from, [to])
        : registry.chain(ns, type, from, [to]);
      return chain.steps.map((s) => ({
        fromVersion: s.from,
        toVersion: s.to,
        hasCode: s.code !== undefined,
        synthetic: s.synthetic,
      }));
    } catch {
      return [];
    }
  }

  // Changes and refused attempts at them go into the audit trail (store/audit/).
  return guarded("TransformationService", auditTransformationChanges(db, handlers));
}

async function findFact(store: StoreRuntime, factId: string, serial: bigint): Promise<StoredFact> {
  if ((factId === "") === (serial === 0n)) {
    throw new InvalidInputError("give the fact's id (fact_id) or its serial, one of them");
  }
  let fact: StoredFact | undefined;
  if (factId !== "") {
    const id = canonicalUuid(factId);
    if (id === undefined) throw new InvalidInputError(`fact_id must be a UUID, got ${JSON.stringify(factId)}`);
    fact = await lookup.factById(store.db.lookups, id);
  } else {
    if (serial < 0n) throw new InvalidInputError(`serial must be positive, got ${serial}`);
    fact = await lookup.factBySerial(store.db.lookups, serial);
  }
  if (!fact) throw new NotFoundError(`no fact ${factId !== "" ? factId : `with serial ${serial}`} in this store`);
  return fact;
}

/** A key from the wire, checked: both versions 1 or more and different, names not blank. */
export function requireKey(key: WireKey | undefined): TransformationKey {
  if (!key) throw new InvalidInputError("key is required: ns, type, from_version and to_version");
  if (key.ns.trim() === "") throw new InvalidInputError("key.ns must not be blank");
  if (key.type.trim() === "") throw new InvalidInputError("key.type must not be blank");
  for (const [name, v] of [
    ["from_version", key.fromVersion],
    ["to_version", key.toVersion],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new InvalidInputError(`key.${name} must be 1 or more, got ${v}`);
  }
  if (key.fromVersion === key.toVersion) {
    throw new InvalidInputError(
      `key.from_version and key.to_version are both ${key.fromVersion}; a transformation changes the version`,
    );
  }
  return { ns: key.ns, type: key.type, from: key.fromVersion, to: key.toVersion };
}

function describe(key: TransformationKey): string {
  return `${key.ns}/${key.type} ${key.from} → ${key.to}`;
}

function wireKey(key: TransformationKey) {
  return { ns: key.ns, type: key.type, fromVersion: key.from, toVersion: key.to };
}

function toWire(r: TransformationRecord) {
  return {
    key: wireKey(r),
    code: r.code ?? "",
    synthetic: false,
    description: r.description,
    registeredBy: r.registeredBy,
    registeredMs: BigInt(r.registeredMs),
    revision: r.revision,
    hash: r.hash,
  };
}

export function missingReason(from: number, to: number): string {
  return `no upcast from version ${from} to ${to}: consumers asking for ${to} cannot read facts of ${from}`;
}

function compare(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
