// Whose request is this? The console answers only requests addressed to itself (Host) and, when
// they change something, sent by its own pages (Origin). The Host check stops DNS rebinding (a
// foreign page whose name resolves to the console's address: its requests name the foreign host);
// the Origin check stops cross-site request forgery beyond what SameSite=Lax cookies already do.
// Pure: proxy.ts hands in the request's facts and answers with the refusal.
import { isLoopbackHost, type ConsoleAuthSettings } from "./settings";

export interface RequestFacts {
  method: string;
  /** The URL's path, e.g. /api/factline.console.v1.ConsoleService/GetCatalog. */
  path: string;
  host: string | null;
  origin: string | null;
  /** Fetch metadata: same-origin, same-site, cross-site, none. */
  secFetchSite: string | null;
  contentType: string | null;
}

export interface Refusal {
  status: number;
  /** What the caller sees: what was wrong and what to do. */
  reason: string;
}

/** Which Host values and origins are the console's own (from HOST, PORT and FACTLINE_CONSOLE_URL). */
export interface OriginPolicy {
  /** FACTLINE_CONSOLE_URL's origin, e.g. https://console.example.com. */
  publicOrigin?: string;
  /** Host values (name:port, lower case) that are the console's. */
  hosts: ReadonlySet<string>;
  /** Any name on this port is the console's: HOST is a wildcard and no FACTLINE_CONSOLE_URL names it. */
  anyName: boolean;
  /** The port every accepted Host must name; undefined when the OS picked it (PORT=0). */
  port?: string;
}

/** The content types of the Connect protocol: a browser cannot send these cross-origin without CORS. */
const CONNECT_CONTENT_TYPES = /^application\/(connect\+)?(proto|json)(\s*;.*)?$/i;
const SAFE_METHODS = new Set(["GET", "HEAD"]);
/** Longer than any real host name with port; bounds what the checks look at. */
const MAX_HOST_LENGTH = 300;

export function originPolicy(settings: Pick<ConsoleAuthSettings, "host" | "port" | "publicOrigin">): OriginPolicy {
  const port = settings.port === "0" ? undefined : settings.port;
  const hosts = new Set<string>();
  const add = (name: string) => port && hosts.add(`${name}:${port}`.toLowerCase());
  // On this machine the console is always reachable by its loopback names: an operator's curl,
  // a proxy on the same host. A rebinding page cannot send these (its Host is its own name).
  for (const name of ["127.0.0.1", "localhost", "[::1]"]) add(name);
  const wildcard = ["0.0.0.0", "::", "[::]", ""].includes(settings.host);
  if (!wildcard)
    add(settings.host.includes(":") && !settings.host.startsWith("[") ? `[${settings.host}]` : settings.host);
  if (settings.publicOrigin) hosts.add(settings.publicOrigin.host.toLowerCase());
  return {
    publicOrigin: settings.publicOrigin?.origin,
    hosts,
    anyName: wildcard && !settings.publicOrigin,
    port,
  };
}

/** undefined when the request may go on; otherwise why not. */
export function checkRequest(req: RequestFacts, policy: OriginPolicy): Refusal | undefined {
  const host = (req.host ?? "").trim().toLowerCase();
  if (!hostAllowed(host, policy)) {
    return {
      status: 421,
      reason:
        `this console does not answer for host "${host.slice(0, MAX_HOST_LENGTH)}": open it at its own address` +
        (policy.publicOrigin ? ` (${policy.publicOrigin})` : "") +
        `, or set FACTLINE_CONSOLE_URL to the address browsers use`,
    };
  }
  const method = req.method.toUpperCase();
  const origin = req.origin?.trim();
  if (origin !== undefined && origin !== "") {
    if (!originAllowed(origin, host, policy)) {
      return {
        status: 403,
        reason: `requests from ${origin === "null" ? "an opaque origin (null)" : origin.slice(0, MAX_HOST_LENGTH)} are refused: only the console's own pages may call it`,
      };
    }
  } else if (!SAFE_METHODS.has(method)) {
    return { status: 403, reason: `a ${method} request must carry an Origin header (browsers send it); refused` };
  }
  const api = req.path === "/api" || req.path.startsWith("/api/");
  if (api) {
    if (req.secFetchSite === "cross-site") {
      return { status: 403, reason: "the console's API answers only the console's own pages, not other sites" };
    }
    if (!SAFE_METHODS.has(method) && method !== "POST") {
      return { status: 405, reason: `the console's API takes POST (Connect) or GET, not ${method}` };
    }
    if (method === "POST" && !CONNECT_CONTENT_TYPES.test(req.contentType ?? "")) {
      return {
        status: 415,
        reason: `the console's API takes the Connect protocol: Content-Type application/proto or application/json, got "${(req.contentType ?? "").slice(0, 100)}"`,
      };
    }
  }
  return undefined;
}

function hostAllowed(host: string, policy: OriginPolicy): boolean {
  if (host === "" || host.length > MAX_HOST_LENGTH) return false;
  if (policy.hosts.has(host)) return true;
  const [name, port] = splitHost(host);
  if (name === undefined) return false;
  // The OS picked the port: any port on the console's own names.
  if (policy.port === undefined && [...policy.hosts].some((h) => splitHost(h)[0] === name)) return true;
  if (policy.port === undefined && isLoopbackHost(name)) return true;
  return policy.anyName && (policy.port === undefined || port === policy.port);
}

function originAllowed(origin: string, host: string, policy: OriginPolicy): boolean {
  if (origin === policy.publicOrigin) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null", garbage
  }
  if (url.origin !== origin) return false; // a path, credentials or anything else an Origin never has
  // Otherwise the page must come from the very host the request is addressed to (which passed the Host check).
  return (url.protocol === "http:" || url.protocol === "https:") && url.host.toLowerCase() === host;
}

/** "name:port" → [name, port]; IPv6 in brackets. */
function splitHost(host: string): [string | undefined, string | undefined] {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(host);
  return m ? [m[1], m[2]] : [undefined, undefined];
}
