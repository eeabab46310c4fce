// A ConsoleService client wired to a fake store, in memory end to end: what a browser's Connect
// client would call, minus HTTP.
import { createClient, createRouterTransport, type Client } from "@connectrpc/connect";
import { ConsoleService } from "../../../gen/factline/console/v1/console_pb";
import { createConsoleService } from "../rpc/console-service";
import { createUpstream, type Upstream } from "../upstream/upstream";
import type { FakeStore } from "./fake-store";

export const FAKE_URL = "http://fake-store:9090";
/** "Today" in tests: after every fake fact's default day, so day ranges resolve deterministically. */
export const TODAY = new Date(Date.UTC(2025, 5, 1, 12));

export interface ConsoleUnderTest {
  client: Client<typeof ConsoleService>;
  upstream: Upstream;
}

export function consoleFor(store: FakeStore, credentials?: { user: string; password: string }): ConsoleUnderTest {
  const upstream = createUpstream({ url: FAKE_URL, transport: store.transport(), ...credentials });
  const transport = createRouterTransport((router) =>
    router.service(ConsoleService, createConsoleService({ upstream, now: () => TODAY })),
  );
  return { client: createClient(ConsoleService, transport), upstream };
}
