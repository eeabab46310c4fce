import type { FactToPublish } from "../facts/fact";
import { FactValidationError, InvalidInputError } from "../errors";
import { log } from "../log";
import { schemaRejections, schemaValidations } from "../metrics/registry";
import type { Db } from "../storage/db";
import type { NotificationListener } from "../storage/listener";
import { registrySnapshot, type SchemaKey } from "../storage/schemas";
import { schemaKey, type PayloadChecks, type PayloadToCheck, type SchemaToCheck } from "./payload-checks";

/** FACTLINE_VALIDATION: what happens to facts on publish. */
export type ValidationPolicy = "off" | "registered" | "strict";

/** Notified by the schema_version trigger on every registry change (migrations/003). */
const SCHEMA_CHANNEL = "factline_schema";

const keyOf = (k: SchemaKey) => `${k.ns}\u0000${k.type}\u0000${k.version}`;

// Facts of one publish whose validation errors are listed: FactValidationError shows 25 lines.
const LISTED_FAILURES = 25;

/** A caller's signal, or a function making it: a publish makes one only when a worker needs it. */
type LazySignal = AbortSignal | (() => AbortSignal);

/**
 * This instance's view of the registry: every schema text, checked against by `checks` (inline or in
 * the validation workers, store/schemas/payload-checks.ts). It follows registrations made through
 * any instance: the registry table notifies on change and every instance reloads (a local
 * registration refreshes before it answers).
 */
export class SchemaRegistry {
  private texts = new Map<string, { text: string; key: string }>();
  private generation = -1n;
  private reloading?: Promise<void>;
  private again = false;
  private readonly changeListeners = new Set<() => void>();

  constructor(
    private readonly db: Db,
    listener: NotificationListener,
    readonly policy: ValidationPolicy,
    /** Where payloads are parsed and validated. */
    readonly checks: PayloadChecks,
  ) {
    listener.on(SCHEMA_CHANNEL, { onNotify: () => void this.refresh(), onResync: () => void this.refresh() });
  }

  /** The first load, at start: a store that cannot read its registry must not accept publishes. */
  async load(): Promise<void> {
    this.apply(await registrySnapshot(this.db));
  }

  private apply(snapshot: Awaited<ReturnType<typeof registrySnapshot>>): void {
    // A text's key is a hash of it: computed once per text, not once per payload checked.
    const previous = this.texts;
    this.texts = new Map(
      snapshot.schemas.map((r) => {
        const k = keyOf(r);
        const known = previous.get(k);
        return [k, known?.text === r.schema ? known : { text: r.schema, key: schemaKey(r.schema) }];
      }),
    );
    this.generation = snapshot.generation;
    for (const listener of this.changeListeners) listener();
  }

  /** Calls `listener` after every (re)load: transformation chains depend on the schema versions. */
  onChange(listener: () => void): void {
    this.changeListeners.add(listener);
  }

  /** Reloads the schema texts; concurrent calls coalesce into at most one more reload. */
  refresh(): Promise<void> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      try {
        do {
          this.again = false;
          this.apply(await registrySnapshot(this.db));
        } while (this.again);
      } catch (err) {
        log.warn("could not reload the schema registry", { error: (err as Error).message });
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  has(key: SchemaKey): boolean {
    return this.texts.has(keyOf(key));
  }

  /** The registered schema text of a version, exactly as registered. */
  schemaText(key: SchemaKey): string | undefined {
    return this.texts.get(keyOf(key))?.text;
  }

  /** The registered versions of a type, ascending. */
  versionsOf(ns: string, type: string): number[] {
    const prefix = `${ns}\u0000${type}\u0000`;
    const versions: number[] = [];
    for (const key of this.texts.keys()) if (key.startsWith(prefix)) versions.push(Number(key.slice(prefix.length)));
    return versions.sort((a, b) => a - b);
  }

  /** The registered schema of a version, to check payloads against; undefined when none is registered. */
  schemaToCheck(key: SchemaKey): SchemaToCheck | undefined {
    const found = this.texts.get(keyOf(key));
    return found && { ...found, name: `${key.ns}/${key.type}/v${key.version}` };
  }

  /**
   * The registry generation this instance validates against, for the append statement to verify
   * (undefined when validation is off: nothing to verify).
   */
  currentGeneration(): bigint | undefined {
    return this.policy === "off" ? undefined : this.generation;
  }

  /**
   * check(), but a rejection is confirmed against a freshly read registry first: this instance's
   * copy may lag a registration made through another instance by a notification's delay. (An
   * acceptance needs no confirmation: the append statement verifies the generation.)
   */
  async checkConfirmed(facts: FactToPublish[], signal?: LazySignal): Promise<bigint | undefined> {
    // Counted once per publish, by the check that decides it (metrics: validations and rejections).
    let tally = { valid: 0, invalid: 0 };
    try {
      try {
        return await this.check(facts, tally, signal);
      } catch (err) {
        if (!(err instanceof FactValidationError)) throw err;
        await this.refresh();
        tally = { valid: 0, invalid: 0 };
        return await this.check(facts, tally, signal);
      }
    } catch (err) {
      if (err instanceof FactValidationError) schemaRejections.inc();
      throw err;
    } finally {
      if (tally.valid > 0) schemaValidations.labels("valid").inc(tally.valid);
      if (tally.invalid > 0) schemaValidations.labels("invalid").inc(tally.invalid);
    }
  }

  /**
   * Checks the payloads of a publish that need it: under the policy, that each matches its (ns,
   * type, version) schema — else rejects the whole publish listing every problem (fact index, id,
   * JSON pointer, message); and that a large payload prepareFact left unparsed is JSON PostgreSQL
   * can store (InvalidInputError for the first that is not). Returns the registry generation the
   * facts were checked against. Facts without a schema and without escapes are not parsed at all.
   */
  async check(
    facts: FactToPublish[],
    tally?: { valid: number; invalid: number },
    signal?: LazySignal,
  ): Promise<bigint | undefined> {
    const generation = this.policy === "off" ? undefined : this.generation;
    const problems: string[][] = facts.map(() => []);
    const items: PayloadToCheck[] = [];
    const factOf: number[] = [];
    facts.forEach((fact, i) => {
      let schema: SchemaToCheck | undefined;
      if (this.policy !== "off") {
        const { type, version = 0 } = fact.header;
        if (typeof type !== "string" || version < 1) {
          if (this.policy === "strict")
            problems[i].push(
              "not validatable: type and a version of 1 or more are required (FACTLINE_VALIDATION=strict)",
            );
        } else {
          schema = this.schemaToCheck({ ns: fact.header.ns, type, version });
          if (!schema && this.policy === "strict")
            problems[i].push("no schema is registered for this version (FACTLINE_VALIDATION=strict)");
        }
      }
      if (!schema && !fact.parseBeforeStoring) return;
      items.push({ payload: fact.payload, label: `fact[${i}].payload`, schema, storable: fact.parseBeforeStoring });
      factOf.push(i);
    });
    const outcomes = await this.checks.check(items, {
      signal: typeof signal === "function" && items.length > 0 ? signal() : (signal as AbortSignal | undefined),
      listFailures: LISTED_FAILURES,
    });
    for (const outcome of outcomes)
      if (!outcome.ok && "problem" in outcome) throw new InvalidInputError(outcome.problem);
    outcomes.forEach((outcome, n) => {
      const i = factOf[n];
      if (!items[n].schema) return;
      if (tally) tally[outcome.ok ? "valid" : "invalid"]++;
      if (outcome.ok) return;
      if ("schemaProblems" in outcome) {
        const detail = outcome.schemaProblems.map((p) => `${p.pointer || "/"}: ${p.message}`).join("; ");
        problems[i].push(`its registered schema cannot be compiled (${detail}); fix the registry`);
      } else if ("errors" in outcome) {
        if (outcome.errors.length === 0) problems[i].push("does not match its schema");
        for (const e of outcome.errors) problems[i].push(`${e.pointer || "/"} ${e.message}`);
      }
    });
    const listed = problems.flatMap((lines, i) => {
      const { id, ns, type, version = 0 } = facts[i].header;
      return lines.map((line) => `fact[${i}] ${id} (${ns}/${type ?? "-"}/v${version}): ${line}`);
    });
    if (listed.length > 0) throw new FactValidationError(listed);
    return generation;
  }
}
