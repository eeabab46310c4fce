// Each gRPC call's log: lines written while serving a call carry its request id, the client's own
// name (FactCast's fc-id header), the account and the method, so an operator can follow one call
// through the log. Carried in the call's context values rather than in AsyncLocalStorage, which on
// Node 20 hooks every promise the process creates (twice the cost per live fact in a measurement).
import { randomBytes } from "node:crypto";
import { createContextKey, type HandlerContext } from "@connectrpc/connect";
import { log, type Log } from "../log";

// A client may name its request (the console forwards its own ids); anything else gets one of ours.
const CLIENT_REQUEST_ID = /^[\w.:-]{1,64}$/;
// Process-unique prefix: two instances' ids never collide, and a counter costs nothing per call.
const PREFIX = randomBytes(4).toString("hex");
let counter = 0;

export function requestIdFor(header: string | string[] | undefined): string {
  if (typeof header === "string" && CLIENT_REQUEST_ID.test(header)) return header;
  return `${PREFIX}-${(++counter).toString(36)}`;
}

/** Who and what a call is, as its log lines name it. */
export interface CallIdentity {
  req: string;
  rpc: string;
  /** fc-id: the client's name for itself (FactCast clients send their application name). */
  client?: string;
  account?: string;
  address?: string;
}

/** The call's log, made on first use: most calls never log a line. */
export class CallLog {
  private made?: Log;
  constructor(readonly identity: CallIdentity) {}

  get log(): Log {
    return (this.made ??= log.child({ ...this.identity }));
  }
}

export const CALL_LOG = createContextKey<CallLog | undefined>(undefined, { description: "the call's log" });

/** The log for lines about this call; the store's log outside a call. */
export function callLogOf(ctx: Pick<HandlerContext, "values"> | undefined): Log {
  return ctx?.values.get(CALL_LOG)?.log ?? log;
}
