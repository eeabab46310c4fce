// FactSpecs and subscription requests as FactCast's Java client serializes them (Jackson, every
// field present, nulls explicit), so factline's clients put exactly what a stock client would on
// the wire. Which facts a spec selects is the store's business (store/facts/spec.ts); this file only
// writes the JSON.
import { create } from "@bufbuild/protobuf";
import {
  MSG_FactSpecsJsonSchema,
  MSG_SubscriptionRequestSchema,
  type MSG_FactSpecsJson,
  type MSG_SubscriptionRequest,
} from "../gen/org/factcast/grpc/api/gen/FactStore_pb";

/** A FactSpec on the wire. `ns: "*"` is every namespace, `type: null` every type, version 0 any. */
export interface FactSpecJson {
  ns: string;
  type: string | null;
  version: number;
  aggIds: string[];
  meta: Record<string, string>;
  aggIdProperties: Record<string, string>;
  metaKeyExists: Record<string, boolean>;
  /** JavaScript `function (header, payload) { return true or false }`, run by the store (in factline, in its sandbox). */
  filterScript: { languageIdentifier: string; source: string } | null;
}

/** What a caller says about a spec; every field left out gets the Java client's default. */
export type FactSpecInput = Partial<FactSpecJson> & { ns: string };

/** One FactSpec with every field the Java client writes, in its order. */
export function factSpec(input: FactSpecInput): FactSpecJson {
  return {
    ns: input.ns,
    type: input.type ?? null,
    version: input.version ?? 0,
    aggIds: input.aggIds ?? [],
    meta: input.meta ?? {},
    aggIdProperties: input.aggIdProperties ?? {},
    metaKeyExists: input.metaKeyExists ?? {},
    filterScript: input.filterScript ?? null,
  };
}

/** The request of stateForSpecsJson / currentStateForSpecsJson: a JSON array of specs. */
export function factSpecsJson(specs: FactSpecInput[]): MSG_FactSpecsJson {
  return create(MSG_FactSpecsJsonSchema, { json: JSON.stringify(specs.map(factSpec)) });
}

/** SubscriptionRequestTO's fields; the ones left out get the Java client's defaults. */
export interface SubscriptionInput {
  specs: FactSpecInput[];
  /** false: catch up and end with Complete; true: catch up, then deliver new facts until cancelled. */
  continuous?: boolean;
  /** Skip the history: start at the current end of the log. */
  ephemeral?: boolean;
  /** Deliver the facts after this fact id; null = from the beginning. */
  startingAfter?: string | null;
  keepaliveIntervalInMs?: number;
  /** Ask for an Info notification (the serial horizon) before the catch-up. */
  streamInfo?: boolean;
  /** Shows in the server's log as who subscribed, e.g. "factline-cli". */
  debugInfo: string;
  /** Java writes `<pid>@<host>`; the default is this process's pid and `debugInfo`. */
  pid?: string;
}

/** The JSON a Java client sends as MSG_SubscriptionRequest.json, field for field. */
export function subscriptionJson(input: SubscriptionInput): string {
  return JSON.stringify({
    keepaliveIntervalInMs: input.keepaliveIntervalInMs ?? 0,
    streamInfo: input.streamInfo ?? false,
    continuous: input.continuous ?? false,
    ephemeral: input.ephemeral ?? false,
    startingAfter: input.startingAfter ?? null,
    debugInfo: input.debugInfo,
    pid: input.pid ?? `${process.pid}@${input.debugInfo}`,
    specs: input.specs.map(factSpec),
  });
}

/** The subscribe RPC's request message. */
export function subscriptionRequest(input: SubscriptionInput): MSG_SubscriptionRequest {
  return create(MSG_SubscriptionRequestSchema, { json: subscriptionJson(input) });
}
