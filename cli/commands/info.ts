import { Command } from "commander";
import type { GetCatalogResponse } from "../../gen/factline/admin/v1/admin_pb";
import { mapLimit } from "../concurrency";
import { formatCount, formatTable } from "../output";
import type { Runtime } from "../runtime";
import type { StoreClient } from "../../factcast/client";
import { isUnimplemented } from "../../factcast/errors";
import type { ServerInfo } from "../store-client";

const CAPABILITY = "org.factcast.grpc.api.Capabilities.";
/** Enumerating a plain FactCast server's catalog takes one call per namespace and type. */
const ENUMERATE_CONCURRENCY = 8;

const EXAMPLES = `
Against a factline store the catalog has counts, serials and times; a plain FactCast server only
tells names, and info says so.

Examples:
  $ factline info
  $ factline info --store http://factcast.internal:9090 --json | jq .latestSerial`;

export interface CatalogRow {
  ns: string;
  type: string;
  version: number;
  factCount?: number;
  firstSerial?: number;
  lastSerial?: number;
  /** ISO-8601 */
  firstPublished?: string;
  lastPublished?: string;
}

export interface StoreInfo {
  store: string;
  protocol: string;
  implementation: string;
  properties: Record<string, string>;
  latestSerial: number;
  /** false: the server lacks factline's admin services, rows carry names only. */
  counts: boolean;
  catalog: CatalogRow[];
}

/** Handshake, latest serial and catalog: "what is this store and what is in it". */
export function infoCommand(runtime: Runtime): Command {
  return new Command("info")
    .summary("show the server, its latest serial and its catalog")
    .description(
      "Show the server's protocol version and implementation, the latest serial, and every namespace/type/version.",
    )
    .addHelpText("after", EXAMPLES)
    .action(async (_options: unknown, cmd: Command) => {
      const { store, server } = await runtime.connect(cmd);
      const info = await gatherInfo(store, server, runtime.signal);
      if (runtime.globals(cmd).json) {
        await runtime.stdout.line(JSON.stringify(info));
      } else {
        for (const line of renderInfo(info)) await runtime.stdout.line(line);
      }
    });
}

export async function gatherInfo(store: StoreClient, server: ServerInfo, signal: AbortSignal): Promise<StoreInfo> {
  const { major, minor, patch } = server.version;
  const base = {
    store: store.url,
    protocol: `${major}.${minor}.${patch}`,
    implementation: server.properties[`${CAPABILITY}FACTCAST_IMPL_VERSION`] ?? "unknown",
    properties: server.properties,
  };
  let catalog: GetCatalogResponse | undefined;
  try {
    catalog = await store.catalog.getCatalog({}, { signal });
  } catch (err) {
    if (!isUnimplemented(err)) throw err;
  }
  if (catalog) {
    return {
      ...base,
      latestSerial: Number(catalog.latestSerial),
      counts: true,
      catalog: catalog.entries.map(fromCatalogEntry),
    };
  }
  const [latest, rows] = await Promise.all([store.facts.latestSerial({}, { signal }), enumerateCatalog(store, signal)]);
  return { ...base, latestSerial: Number(latest.serial), counts: false, catalog: rows };
}

function fromCatalogEntry(e: GetCatalogResponse["entries"][number]): CatalogRow {
  return {
    ns: e.ns,
    type: e.type,
    version: e.version,
    factCount: Number(e.factCount),
    firstSerial: Number(e.firstSerial),
    lastSerial: Number(e.lastSerial),
    firstPublished: new Date(Number(e.firstPublishedMs)).toISOString(),
    lastPublished: new Date(Number(e.lastPublishedMs)).toISOString(),
  };
}

/** The names-only catalog any FactCast 1.8 server can give. */
async function enumerateCatalog(store: StoreClient, signal: AbortSignal): Promise<CatalogRow[]> {
  const namespaces = [...(await store.facts.enumerateNamespaces({}, { signal })).embeddedString].sort();
  const pairs = (
    await mapLimit(namespaces, ENUMERATE_CONCURRENCY, async (ns) =>
      [...(await store.facts.enumerateTypes({ embeddedString: ns }, { signal })).embeddedString]
        .sort()
        .map((type) => ({ ns, type })),
    )
  ).flat();
  const rows = await mapLimit(pairs, ENUMERATE_CONCURRENCY, async ({ ns, type }) =>
    [...(await store.facts.enumerateVersions({ ns, type }, { signal })).embeddedInteger]
      .sort((a, b) => a - b)
      .map((version) => ({ ns, type, version })),
  );
  return rows.flat();
}

export function renderInfo(info: StoreInfo): string[] {
  const codecs = info.properties[`${CAPABILITY}CODECS`];
  const lines = [
    `store           ${info.store}`,
    `server          ${info.implementation} (FactCast protocol ${info.protocol})`,
    ...(codecs ? [`compression     ${codecs}`] : []),
    `latest serial   ${formatCount(info.latestSerial)}`,
    "",
  ];
  if (info.catalog.length === 0) return [...lines, "no facts yet"];
  const label = (type: string) => type || "(no type)";
  if (!info.counts) {
    const table = formatTable(
      ["NAMESPACE", "TYPE", "VERSION"],
      info.catalog.map((r) => [r.ns, label(r.type), String(r.version)]),
      new Set([2]),
    );
    return [...lines, ...table, "", "(counts need factline's admin services, which this server does not offer)"];
  }
  const table = formatTable(
    ["NAMESPACE", "TYPE", "VERSION", "FACTS", "LAST SERIAL", "LAST PUBLISHED (UTC)"],
    info.catalog.map((r) => [
      r.ns,
      label(r.type),
      String(r.version),
      formatCount(r.factCount ?? 0),
      formatCount(r.lastSerial ?? 0),
      (r.lastPublished ?? "").replace("T", " ").replace(/\.\d+Z$/, ""),
    ]),
    new Set([2, 3, 4]),
  );
  return [...lines, ...table];
}
