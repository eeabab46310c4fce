// What the OperationsService specs share (operations.int.spec.ts, operations-access.int.spec.ts): a
// console backend in-process for one upstream, short heartbeats, and small waiting helpers.
import { ConnectError, createClient, createRouterTransport, type Client } from "@connectrpc/connect";
import { AccessService } from "../../gen/factline/console/v1/access_pb";
import { OperationsService } from "../../gen/factline/console/v1/operations_pb";
import { createAccessService } from "../../lib/backend/rpc/access";
import { createOperationsService } from "../../lib/backend/rpc/operations";
import type { Upstream } from "../../lib/backend/upstream/upstream";
// Short beats keep the test short: the figures the console shows are at most one beat old.
export const HEARTBEAT_MS = 300;
export const ENV = { FACTLINE_HEARTBEAT_MS: String(HEARTBEAT_MS), FACTLINE_LOG: "silent" };

export interface ConsoleAs {
  upstream: Upstream;
  ops: Client<typeof OperationsService>;
  access: Client<typeof AccessService>;
}

export function consoleAs(upstream: Upstream): ConsoleAs {
  const transport = createRouterTransport((r) =>
    r
      .service(OperationsService, createOperationsService({ upstream }))
      .service(AccessService, createAccessService({ upstream })),
  );
  return { upstream, ops: createClient(OperationsService, transport), access: createClient(AccessService, transport) };
}

export async function refusal(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("the call was not refused");
}

export async function until<T>(probe: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await probe();
  }
  return last;
}
