import { payloadValue, type FactToPublish } from "../facts/fact";
import { FactValidationError } from "../errors";
import { log } from "../log";
import { schemaRejections, schemaValidations } from "../metrics/registry";
import type { Db } from "../storage/db";
import type { NotificationListener } from "../storage/listener";
import { registrySnapshot, type SchemaKey } from "../storage/schemas";
import { compileSchema, SchemaCompileError, type PayloadValidator } from "./validation";

/** FACTLINE_VALIDATION: what happens to facts on publish. */
export type ValidationPolicy = "off" | "registered" | "strict";

/** Notified by the schema_version trigger on every registry change (migrations/003). */
const SCHEMA_CHANNEL = "factline_schema";

const keyOf = (k: SchemaKey) => `${k.ns}\u0000${k.type}\u0000${k.version}`;

/**
 * This instance's view of the registry: every schema text, and validators compiled on first use.
 * It follows registrations made through any instance: the registry table notifies on change and
 * every instance reloads (a local registration refreshes before it answers).
 */
export class SchemaRegistry {
  private texts = new Map<string, string>();
  private generation = -1n;
  private readonly compiled = new Map<string, { text: string; validate: PayloadValidator }>();
  private reloading?: Promise<void>;
  private again = false;
  private readonly changeListeners = new Set<() => void>();

  constructor(
    private readonly db: Db,
    listener: NotificationListener,
    readonly policy: ValidationPolicy,
  ) {
    listener.on(SCHEMA_CHANNEL, { onNotify: () => void this.refresh(), onResync: () => void this.refresh() });
  }

  /** The first load, at start: a store that cannot read its registry must not accept publishes. */
  async load(): Promise<void> {
    this.apply(await registrySnapshot(this.db));
  }

  private apply(snapshot: Awaited<ReturnType<typeof registrySnapshot>>): void {
    this.texts = new Map(snapshot.schemas.map((r) => [keyOf(r), r.schema]));
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
    return this.texts.get(keyOf(key));
  }

  /** The registered versions of a type, ascending. */
  versionsOf(ns: string, type: string): number[] {
    const prefix = `${ns}\u0000${type}\u0000`;
    const versions: number[] = [];
    for (const key of this.texts.keys()) if (key.startsWith(prefix)) versions.push(Number(key.slice(prefix.length)));
    return versions.sort((a, b) => a - b);
  }

  /** The compiled validator of a registered version, or undefined when none is registered. */
  validator(key: SchemaKey): PayloadValidator | undefined {
    const k = keyOf(key);
    const text = this.texts.get(k);
    if (text === undefined) return undefined;
    const cached = this.compiled.get(k);
    if (cached?.text === text) return cached.validate;
    const validate = compileSchema(JSON.parse(text));
    this.compiled.set(k, { text, validate });
    return validate;
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
  async checkConfirmed(facts: FactToPublish[]): Promise<bigint | undefined> {
    // Counted once per publish, by the check that decides it (metrics: validations and rejections).
    let tally = { valid: 0, invalid: 0 };
    try {
      try {
        return this.check(facts, tally);
      } catch (err) {
        if (!(err instanceof FactValidationError)) throw err;
        await this.refresh();
        tally = { valid: 0, invalid: 0 };
        return this.check(facts, tally);
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
   * Checks every fact of a publish against its (ns, type, version) schema under the policy, and
   * rejects the whole publish listing every problem (fact index, id, JSON pointer, message).
   * Returns the registry generation the facts were checked against.
   */
  check(facts: FactToPublish[], tally?: { valid: number; invalid: number }): bigint | undefined {
    if (this.policy === "off") return undefined;
    const problems: string[] = [];
    facts.forEach((fact, i) => {
      const { id, ns, type, version = 0 } = fact.header;
      const where = `fact[${i}] ${id} (${ns}/${type ?? "-"}/v${version})`;
      if (typeof type !== "string" || version < 1) {
        if (this.policy === "strict")
          problems.push(
            `${where}: not validatable: type and a version of 1 or more are required (FACTLINE_VALIDATION=strict)`,
          );
        return;
      }
      let validate: PayloadValidator | undefined;
      try {
        validate = this.validator({ ns, type, version });
      } catch (err) {
        const detail = err instanceof SchemaCompileError ? err.message : (err as Error).message;
        problems.push(`${where}: its registered schema cannot be compiled (${detail}); fix the registry`);
        return;
      }
      if (!validate) {
        if (this.policy === "strict")
          problems.push(`${where}: no schema is registered for this version (FACTLINE_VALIDATION=strict)`);
        return;
      }
      const errors = validate(payloadValue(fact, i));
      if (tally) tally[errors.length === 0 ? "valid" : "invalid"]++;
      for (const e of errors) problems.push(`${where}: ${e.pointer || "/"} ${e.message}`);
    });
    if (problems.length > 0) throw new FactValidationError(problems);
    return this.generation;
  }
}
