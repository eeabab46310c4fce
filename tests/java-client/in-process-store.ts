import type { StoreOptions } from "../../store/store";

/**
 * A store inside the test's own process: store/store.ts's runtime and its gRPC port with the
 * services store/main.ts registers (store/protocol/services.ts), configured from environment
 * variables as main.ts is, without the HTTP port (metrics, health) nothing here asks for.
 *
 * For FactCast's store suite, which wants a fresh store for each of its 62 test methods: a store
 * process costs ~4–5 s of CPU to start (Node, the TypeScript loader and the store's modules, then its
 * worker threads' modules), minutes of CPU for the suite on a two-core machine, while a runtime on
 * modules already loaded, its validation worker started only when a job needs one, costs ~50 ms of
 * CPU. The conformance tests and java-client.int.spec.ts keep running the store as its own
 * process, as operators run it.
 */
export interface InProcessStore {
  /** host:port of the gRPC server (127.0.0.1). */
  readonly target: string;
  /** Ends subscriptions and closes connections, then the runtime (pools, workers). */
  close(): Promise<void>;
}

/** One worker of each kind is enough for a test's few facts; each one started costs CPU (its modules load in the thread). */
const TEST_ENV = { FACTLINE_VALIDATION_WORKERS: "1", FACTLINE_SANDBOX_WORKERS: "1" };

/** `options` replace what the environment configures (a test's own bounds). */
export async function openInProcessStore(
  databaseUrl: string,
  env: Record<string, string> = {},
  options: Partial<StoreOptions> = {},
): Promise<InProcessStore> {
  // The store's log reads FACTLINE_LOG when its module loads, hence before the imports below;
  // silent (errors only) unless set, or 62 stores would each log their start.
  process.env.FACTLINE_LOG ??= "silent";
  const [{ loadStoreConfig }, { loadSecurity }, { openStore }, { startGrpcServer }, { registerServices }] =
    await Promise.all([
      import("../../store/config"),
      import("../../store/auth/security"),
      import("../../store/store"),
      import("../../store/grpc/server"),
      import("../../store/protocol/services"),
    ]);
  const config = loadStoreConfig({
    ...process.env,
    ...TEST_ENV,
    ...env,
    DATABASE_URL: databaseUrl,
    FACTLINE_STORE_HOST: "127.0.0.1",
    FACTLINE_STORE_PORT: "0",
  });
  const security = await loadSecurity(config.security, config.host);
  // A test's payloads are small (validated on the main thread): workers start only if one is needed.
  const runtime = await openStore(databaseUrl, { ...config, warmWorkers: false, ...options });
  try {
    const grpc = await startGrpcServer({
      host: config.host,
      port: 0,
      authenticator: security.authenticator,
      routes: (routes) => registerServices(routes, runtime, config.adminServices),
    });
    const target = `127.0.0.1:${grpc.port}`;
    runtime.instance.announce({ grpc: target, http: "" });
    return {
      target,
      // The order of main.ts's stop: no more calls, subscriptions ended, writes drained, then the pools.
      close: async () => {
        await Promise.all([grpc.close(), runtime.close()]);
      },
    };
  } catch (err) {
    await runtime.close().catch(() => {});
    throw err;
  }
}
