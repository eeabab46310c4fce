import type { ServiceHandlers } from "../grpc/service";
import { ChangeKind, SchemaRegistryService, type SchemaKey as WireKey } from "../../gen/factline/admin/v1/schemas_pb";
import { auditSchemaChanges } from "../audit/schema-changes";
import { requireRead, requireSchemas } from "../auth/permissions";
import { principalOf } from "../auth/principal";
import { ConflictError, InvalidInputError, NotFoundError } from "../errors";
import { checkCandidate, DEFAULT_DRY_RUN_LIMIT } from "../schemas/candidate";
import { diffSchemas, type SchemaChange } from "../schemas/diff";
import { readRegistryLayout, writeRegistryLayout } from "../../factcast/registry-layout/layout";
import { schemaKey, type PayloadChecks, type SchemaToCheck } from "../schemas/payload-checks";
import * as schemas from "../storage/schemas";
import type { StoreRuntime } from "../store";
import { guarded } from "./errors";
import { missingReason } from "./transformation-service";
import {
  checkImportedTransformations,
  exportedTransformations,
  importTransformations,
} from "../transformations/layout";

/** The schema registry over gRPC: register, list, get, validate, check, compare, delete, import, export. */
export function createSchemaRegistryService(store: StoreRuntime): ServiceHandlers<typeof SchemaRegistryService> {
  const { registry, checks } = store;
  const db = store.db.lookups;

  /** Registers one version after checking everything a caller could get wrong. */
  async function register(r: schemas.Registration, force: { reason: string } | undefined) {
    const outcome = await schemas.registerSchema(db, r, force);
    if (outcome === "conflict") {
      throw new ConflictError(
        `${r.ns}/${r.type} version ${r.version} is registered with a different schema; versions are immutable: ` +
          `register version ${r.version + 1}, or replace this one with force and a reason`,
      );
    }
    // This instance validates with the new schema before it answers; others follow via NOTIFY.
    await registry.refresh();
    return outcome;
  }

  const handlers: ServiceHandlers<typeof SchemaRegistryService> = {
    async registerSchema(req, ctx) {
      const key = requireKey(req.key);
      const principal = principalOf(ctx);
      requireSchemas(principal, [key.ns]);
      const schemaText = req.schemaJson;
      const schema = await compileOrExplain(
        checks,
        schemaText,
        "schema_json",
        `${key.ns}/${key.type}/v${key.version}`,
        ctx.signal,
      );
      // In a validation worker with a deadline, stopped when the caller gives up.
      const outcomes = await checks.check(
        req.examples.map((payload, i) => ({ payload, label: `examples[${i}]`, schema })),
        { signal: ctx.signal, listFailures: 1, stopAfterFailures: 1 },
      );
      outcomes.forEach((outcome, i) => {
        if (outcome.ok) return;
        if ("problem" in outcome) throw new InvalidInputError(outcome.problem);
        if ("errors" in outcome) {
          throw new InvalidInputError(
            `examples[${i}] does not match the schema: ${outcome.errors.map((e) => `${e.pointer || "/"} ${e.message}`).join("; ")}`,
          );
        }
      });
      if (req.force && req.reason.trim() === "")
        throw new InvalidInputError("force needs a reason: say why a registered version must change");
      const outcome = await register(
        {
          ...key,
          schema: schemaText,
          description: req.description,
          registeredBy: principal.account,
          examples: req.examples,
        },
        req.force ? { reason: req.reason } : undefined,
      );
      const stored = await schemas.getSchema(db, key);
      return { schema: toWire(stored!), replaced: outcome === "replaced", unchanged: outcome === "unchanged" };
    },

    async listSchemas(req, ctx) {
      const principal = principalOf(ctx);
      const filter = { ns: req.ns || undefined, type: req.type || undefined };
      if (filter.ns) requireRead(principal, [filter.ns]);
      const [rows, missing] = await Promise.all([schemas.listSchemas(db, filter), schemas.unschematized(db, filter)]);
      return {
        schemas: rows.filter((r) => principal.mayRead(r.ns)).map((r) => ({ ...toWire(r), schemaJson: "" })),
        unschematized: missing
          .filter((m) => principal.mayRead(m.ns))
          .map((m) => ({ ns: m.ns, type: m.type, version: 0 })),
      };
    },

    async getSchema(req, ctx) {
      const key = requireKey(req.key);
      requireRead(principalOf(ctx), [key.ns]);
      const stored = await schemas.getSchema(db, key);
      if (!stored) throw new NotFoundError(`no schema is registered for ${key.ns}/${key.type} version ${key.version}`);
      const history = await schemas.replacementsOf(db, key);
      return {
        schema: toWire(stored),
        history: history.map((h) => ({ ...h, schemaJson: h.schema, registeredMs: BigInt(h.registeredMs) })),
      };
    },

    async validatePayload(req, ctx) {
      const key = requireKey(req.key);
      requireRead(principalOf(ctx), [key.ns]);
      const schema = registry.schemaToCheck(key);
      if (!schema) throw new NotFoundError(`no schema is registered for ${key.ns}/${key.type} version ${key.version}`);
      const [outcome] = await checks.check([{ payload: req.payloadJson, label: "payload_json", schema }], {
        signal: ctx.signal,
      });
      if (outcome.ok) return { valid: true, errors: [] };
      if ("problem" in outcome) throw new InvalidInputError(outcome.problem);
      if ("schemaProblems" in outcome) {
        const detail = outcome.schemaProblems.map((p) => `${p.pointer || "/"}: ${p.message}`).join("; ");
        throw new InvalidInputError(`the registered schema cannot be compiled (${detail}); fix the registry`);
      }
      return { valid: false, errors: outcome.errors };
    },

    async checkCandidate(req, ctx) {
      const key = requireKey(req.key);
      // The dry run reads stored facts of the namespace.
      requireRead(principalOf(ctx), [key.ns]);
      if (req.dryRunLimit < 0) throw new InvalidInputError("dry_run_limit must not be negative");
      const report = await checkCandidate(db, checks, key, req.schemaJson, {
        compareToVersion: req.compareToVersion,
        dryRunLimit: req.dryRunLimit || DEFAULT_DRY_RUN_LIMIT,
        // The dry run walks stored facts: an expensive read, stopped when the caller gives up.
        reads: store.db.reads,
        signal: ctx.signal,
      });
      return {
        schemaValid: report.schemaValid,
        schemaProblems: report.schemaProblems,
        comparedToVersion: report.comparedToVersion,
        changes: report.changes.map(changeToWire),
        breakingForReaders: report.changes.some((c) => c.breakingForReaders),
        breakingForWriters: report.changes.some((c) => c.breakingForWriters),
        exists: report.exists,
        unchanged: report.unchanged,
        // Upcasts consumers would lack with the candidate registered (store/transformations/chains.ts).
        missingTransformations: report.schemaValid
          ? store.transformations.registry.missing(key.ns, key.type, key.version).map(([from, to]) => ({
              key: { ns: key.ns, type: key.type, fromVersion: from, toVersion: to },
              reason: missingReason(from, to),
            }))
          : [],
        dryRun: {
          checked: BigInt(report.dryRun.checked),
          failed: BigInt(report.dryRun.failed),
          incomplete: report.dryRun.incomplete,
          firstFailures: report.dryRun.firstFailures,
        },
      };
    },

    async compareVersions(req, ctx) {
      requireRead(principalOf(ctx), [req.ns]);
      const [from, to] = await Promise.all(
        [req.fromVersion, req.toVersion].map(async (version) => {
          const key = requireKey({ ns: req.ns, type: req.type, version });
          const found = await schemas.getSchema(db, key);
          if (!found) throw new NotFoundError(`no schema is registered for ${key.ns}/${key.type} version ${version}`);
          return JSON.parse(found.schema) as unknown;
        }),
      );
      const changes = diffSchemas(from, to);
      return {
        changes: changes.map(changeToWire),
        breakingForReaders: changes.some((c) => c.breakingForReaders),
        breakingForWriters: changes.some((c) => c.breakingForWriters),
      };
    },

    async deleteSchema(req, ctx) {
      const key = requireKey(req.key);
      requireSchemas(principalOf(ctx), [key.ns]);
      const outcome = await schemas.deleteSchema(db, key);
      if (outcome === "absent")
        throw new NotFoundError(`no schema is registered for ${key.ns}/${key.type} version ${key.version}`);
      if (outcome !== "deleted") {
        throw new ConflictError(
          `${key.ns}/${key.type} version ${key.version} is used by ${outcome.inUse} stored facts and cannot be deleted`,
        );
      }
      await registry.refresh();
      return {};
    },

    async importRegistry(req, ctx) {
      const { schemas: found, transformations, problems } = readRegistryLayout(req.files);
      const fatal = problems.filter((p) => p.severity === "error");
      if (fatal.length > 0) {
        throw new InvalidInputError(
          `the registry cannot be imported: ${fatal.map((p) => `${p.path}: ${p.message}`).join("; ")}`,
        );
      }
      // All or nothing: one namespace the caller may not manage stops the import before any write.
      const principal = principalOf(ctx);
      requireSchemas(principal, [...found.map((s) => s.ns), ...transformations.map((t) => t.ns)]);
      for (const s of found) {
        const where = `${s.ns}/${s.type}/${s.version}/schema.json`;
        await compileOrExplain(checks, s.schemaText, where, `${s.ns}/${s.type}/v${s.version}`, ctx.signal);
      }
      await checkImportedTransformations(store, transformations, found);
      const result = { imported: 0, unchanged: 0, replaced: 0, conflicts: [] as WireKey[] };
      for (const s of found) {
        const key = requireKey({ ns: s.ns, type: s.type, version: s.version });
        const outcome = await schemas.registerSchema(
          db,
          {
            ...key,
            schema: s.schemaText,
            description: "",
            registeredBy: principal.account,
            examples: s.examples ?? [],
          },
          req.force ? { reason: "replaced by a forced registry import" } : undefined,
        );
        if (outcome === "registered") result.imported++;
        else if (outcome === "unchanged") result.unchanged++;
        else if (outcome === "replaced") result.replaced++;
        else result.conflicts.push({ ...key, $typeName: "factline.admin.v1.SchemaKey" });
      }
      await registry.refresh();
      const imported = await importTransformations(store, transformations, principal.account, req.force);
      return {
        ...result,
        transformationsImported: imported.imported,
        transformationsUnchanged: imported.unchanged,
        transformationsReplaced: imported.replaced,
        transformationConflicts: imported.conflicts.map((k) => ({
          ns: k.ns,
          type: k.type,
          fromVersion: k.from,
          toVersion: k.to,
        })),
      };
    },

    async exportRegistry(req, ctx) {
      const principal = principalOf(ctx);
      if (req.ns) requireRead(principal, [req.ns]);
      const rows = (await schemas.listSchemas(db, { ns: req.ns || undefined })).filter((r) => principal.mayRead(r.ns));
      const full = await Promise.all(rows.map((r) => schemas.getSchema(db, r)));
      const transformations = await exportedTransformations(store, req.ns || undefined, (ns) => principal.mayRead(ns));
      return {
        files: writeRegistryLayout(
          full.map((s) => ({
            ns: s!.ns,
            type: s!.type,
            version: s!.version,
            schemaText: s!.schema,
            examples: s!.examples,
          })),
          transformations,
        ),
      };
    },
  };
  // Changes and refused attempts at them go into the audit trail (store/audit/).
  return guarded("SchemaRegistryService", auditSchemaChanges(db, handlers));
}

function requireKey(key: { ns: string; type: string; version: number } | undefined): schemas.SchemaKey {
  if (!key) throw new InvalidInputError("key is required: ns, type and version");
  if (key.ns.trim() === "") throw new InvalidInputError("key.ns must not be blank");
  if (key.type.trim() === "") throw new InvalidInputError("key.type must not be blank");
  if (!Number.isInteger(key.version) || key.version < 1)
    throw new InvalidInputError(`key.version must be 1 or more, got ${key.version}`);
  return { ns: key.ns, type: key.type, version: key.version };
}

// How a validation worker says a schema text is not JSON (store/schemas/validation-worker.ts).
const NOT_JSON = "not valid JSON: ";

/**
 * Compiles a schema text in a validation worker (with its deadline) and returns it ready to check
 * payloads against, or throws InvalidInputError saying what is wrong with it.
 */
async function compileOrExplain(
  checks: PayloadChecks,
  text: string,
  what: string,
  name: string,
  signal: AbortSignal,
): Promise<SchemaToCheck> {
  const schema = { key: schemaKey(text), text, name };
  const problems = await checks.compile(schema, signal);
  if (problems) {
    const notJson = problems.length === 1 && problems[0].message.startsWith(NOT_JSON);
    if (notJson)
      throw new InvalidInputError(`${what} is not valid JSON (${problems[0].message.slice(NOT_JSON.length)})`);
    const listed = problems.map((p) => `${p.pointer || "/"}: ${p.message}`).join("; ");
    throw new InvalidInputError(`${what} is not a valid JSON Schema: ${listed}`);
  }
  return schema;
}

function toWire(r: schemas.SchemaRecord) {
  return {
    key: { ns: r.ns, type: r.type, version: r.version },
    schemaJson: r.schema,
    description: r.description,
    registeredBy: r.registeredBy,
    registeredMs: BigInt(r.registeredMs),
    examples: r.examples,
    revision: r.revision,
    hash: r.hash,
    factCount: BigInt(r.factCount),
  };
}

function changeToWire(c: SchemaChange) {
  const kind = ChangeKind[c.kind.toUpperCase() as keyof typeof ChangeKind] ?? ChangeKind.OTHER;
  return {
    path: c.path,
    kind,
    description: c.description,
    breakingForReaders: c.breakingForReaders,
    breakingForWriters: c.breakingForWriters,
    before: c.before === undefined ? "" : JSON.stringify(c.before),
    after: c.after === undefined ? "" : JSON.stringify(c.after),
  };
}
