/**
 * The browser's way to the console backend: Connect over fetch to /api/ (app/api/[...connect]).
 * Binary protobuf rather than JSON: payloads travel as text fields, and a 5 MB JSON payload would
 * otherwise be escaped a second time and grow with every quote it contains.
 */
import type { Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";

/** Where app/api/[...connect]/route.ts serves ConsoleService. */
export const API_BASE_URL = "/api";

export function createConsoleTransport(): Transport {
  return createConnectTransport({ baseUrl: API_BASE_URL, useBinaryFormat: true });
}
