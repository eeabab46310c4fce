import { loadSecurity } from "./auth/security";
import { ConfigError, loadStoreConfig } from "./config";
import { startGrpcServer, type GrpcServer } from "./grpc/server";
import { loadTlsCredentials } from "./grpc/tls";
import { Readiness } from "./http/readiness";
import { startHttpServer, type HttpServer } from "./http/server";
import { observeFrontDoor } from "./metrics/front-door";
import { observeRuntime } from "./metrics/runtime";
import { observeValidation } from "./metrics/validation";
import { log } from "./log";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "./postgres/embedded";
import { PostgresSupervisor } from "./postgres/supervisor";
import { registerServices } from "./protocol/services";
import { UnsafeDatabaseError } from "./storage/preflight";
import { openStore, type StoreRuntime } from "./store";

// A clean stop must finish well inside the 10 s that `npm start` promises; past this, exit anyway.
const FORCED_EXIT_MS = 8_000;

async function main(): Promise<void> {
  const config = loadStoreConfig();
  let postgres: EmbeddedPostgres | undefined;
  let supervisor: PostgresSupervisor | undefined;
  let store: StoreRuntime | undefined;
  let grpc: GrpcServer | undefined;
  let http: HttpServer | undefined;
  let readiness: Readiness | undefined;
  let stopping = false;

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("stopping", { signal });
    const forced = setTimeout(() => {
      log.error("clean stop took too long; exiting");
      process.exit(1);
    }, FORCED_EXIT_MS);
    forced.unref();
    try {
      // Order matters: stop taking calls, end subscriptions, drain writes, then the database.
      readiness?.stop();
      await Promise.all([grpc?.close(), http?.close(), store?.close(), supervisor?.stop()]);
      const left = await postgres?.release();
      if (left?.others) log.info("embedded PostgreSQL keeps running for the other stores on this data directory", left);
    } catch (err) {
      log.error("error while stopping", { error: (err as Error).message });
      process.exitCode = 1;
    }
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));

  // Before the database: a store that cannot enforce its access rules must not start at all.
  const security = await loadSecurity(config.security, config.host);
  const tls = config.tls && (await loadTlsCredentials(config.tls));
  if (tls) log.info("serving gRPC over TLS", { subject: tls.subject, names: tls.names, validTo: tls.validTo });
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    log.info("no DATABASE_URL: starting embedded PostgreSQL", { dataDir: config.dataDir });
    const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir });
    postgres = embedded;
    databaseUrl = embedded.url;
    // A server that dies is started again where the pools look for it; one that cannot stay up stops the store.
    supervisor = new PostgresSupervisor(embedded, (reason) => {
      log.error(`${reason}; stopping the store`);
      process.exitCode = 1;
      void stop("PostgreSQL");
    }).start();
  }
  try {
    store = await openStore(databaseUrl, config);
    const runtime = store;
    grpc = await startGrpcServer({
      host: config.host,
      port: config.port,
      authenticator: security.authenticator,
      tls,
      routes: (routes) => registerServices(routes, runtime, config.adminServices),
    });
    readiness = new Readiness(runtime.db, runtime.tail);
    observeRuntime(runtime);
    observeFrontDoor(grpc);
    observeValidation(runtime.checks);
    http = await startHttpServer({
      host: config.host,
      port: config.http.port,
      authenticator: security.authenticator,
      open: config.http.open,
      bearer: config.security.oidc !== undefined,
      readiness,
    });
  } catch (err) {
    await grpc?.close().catch(() => {});
    await store?.close().catch(() => {});
    await supervisor?.stop();
    await postgres?.stop().catch(() => {});
    throw err;
  }
  if (stopping) return;
  // Scripts and tests wait for exactly this line on stdout (scripts/launch/store.ts reads "over TLS" from it).
  const transport = tls ? " over TLS" : "";
  const hostPart = config.host.includes(":") ? `[${config.host}]` : config.host;
  const httpAt = `http://${hostPart}:${http.port}`;
  store.instance.announce({ grpc: `${hostPart}:${grpc.port}`, http: httpAt });
  process.stdout.write(
    `factline store listening on ${config.host}:${grpc.port}${transport} (${security.summary}); metrics and health on ${httpAt}\n`,
  );
}

main().catch((err: Error) => {
  if (err instanceof ConfigError) {
    log.error(`configuration error: ${err.message}`);
  } else if (err instanceof UnsafeDatabaseError) {
    log.error(err.message);
  } else {
    log.error("store failed to start", { error: err.message, cause: (err.cause as Error | undefined)?.message });
  }
  process.exit(1);
});
