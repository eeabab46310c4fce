// `npm run demo`: fills a store with realistic facts, then keeps publishing a few per second so a
// newcomer sees a living store. Talks FactCast's protocol only, so it works against any FactCast
// 1.8 server too. See scripts/demo/generator.ts for what it simulates.
import { parseArgs } from "node:util";
import {
  checkStoreUrl,
  createStoreClient,
  DEFAULT_STORE_URL,
  StoreTargetError,
  type StoreClient,
} from "../factcast/client";
import { toMsgUuid } from "../factcast/uuid";
import { DemoError, EXIT, storeFailure, usageError } from "./demo/failure";
import { formatCount, say } from "./demo/output";
import { FACT_TYPES } from "./demo/fact-types";
import { createWorld, history, liveStep } from "./demo/generator";
import { DemoPublisher } from "./demo/publish";
import { describeBreakingChange, describeRegistration, registerSchemas } from "./demo/schemas";

/** Live facts are produced on this beat; 4 beats a second keeps "a few per second" smooth. */
const TICK_MS = 250;
/** A status line this often while live, so the terminal shows it is alive without scrolling away. */
const STATUS_EVERY_MS = 10_000;
/** Shown as the publisher in every fact's meta.source (FactCast's fc-id header). */
const CLIENT_ID = "factline-demo";
/** FactCast clients give the handshake 10 s; a store that is up answers in milliseconds. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

const USAGE = `Usage: npm run demo -- [options]

Publishes realistic demo facts to FACTLINE_STORE_URL (default ${DEFAULT_STORE_URL}): namespaces shop,
users, billing, inventory and catalog, two versions of OrderPlaced and UserRegistered, orders that
share aggregate ids and correlation ids across namespaces. First a simulated history, then a few
facts per second until Ctrl-C.

Options:
  --once            seed the history and exit
  --seed <n>        reproduce the same history (default: random, printed at start)
  --facts <n>       facts in the seeded history (default 3000)
  --days <n>        days of simulated history (default 90)
  --rate <n>        live facts per second (default 3)
  --store <url>     the store (default: FACTLINE_STORE_URL or ${DEFAULT_STORE_URL})
  -h, --help        this text

Credentials for Basic authentication come from FACTLINE_STORE_USER / FACTLINE_STORE_PASSWORD;
the CA of an https:// store's certificate from FACTLINE_TLS_CA.`;

interface DemoOptions {
  once: boolean;
  seed: number;
  seedGiven: boolean;
  facts: number;
  days: number;
  rate: number;
  store: string;
}

function positive(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > max)
    throw usageError(`--${name} must be a number from 1 to ${max}, got "${raw}"`);
  return value;
}

function parseOptions(argv: string[]): DemoOptions | undefined {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        once: { type: "boolean" },
        seed: { type: "string" },
        facts: { type: "string" },
        days: { type: "string" },
        rate: { type: "string" },
        store: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    throw usageError(`${(err as Error).message}\n${USAGE}`);
  }
  if (values.help) return undefined;
  const seedGiven = values.seed !== undefined;
  if (seedGiven && !/^\d+$/.test(values.seed!)) throw usageError(`--seed must be a whole number, got "${values.seed}"`);
  return {
    once: values.once ?? false,
    seed: seedGiven ? Number(values.seed) % 2 ** 32 : Math.floor(Math.random() * 2 ** 31),
    seedGiven,
    facts: Math.round(positive("facts", values.facts, 3_000, 10_000_000)),
    days: positive("days", values.days, 90, 3_650),
    rate: positive("rate", values.rate, 3, 1_000),
    store: storeUrl(values.store ?? process.env.FACTLINE_STORE_URL ?? DEFAULT_STORE_URL),
  };
}

function storeUrl(raw: string): string {
  try {
    return checkStoreUrl(raw);
  } catch (err) {
    throw err instanceof StoreTargetError ? usageError(`--store ${err.message}`) : err;
  }
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function seed(
  store: StoreClient,
  options: DemoOptions,
  world: ReturnType<typeof createWorld>,
  signal: AbortSignal,
) {
  const end = Date.now();
  const publisher = new DemoPublisher(store);
  const started = Date.now();
  const steps = history(world, { ...options, end });
  let skip = false;
  let first = true;
  for (const facts of steps) {
    if (first && options.seedGiven) {
      // The same seed gives the same fact ids: a rerun against the same store would be refused.
      const known = await store.facts.serialOf(toMsgUuid(facts[0].header.id), { signal });
      skip = known.present;
      if (skip) say(`this store already has the history of seed ${options.seed}; not seeding it again`);
    }
    first = false;
    if (skip) continue;
    if (signal.aborted) break;
    await publisher.add(facts);
  }
  await publisher.flush();
  if (!skip) {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    say(
      `seeded ${formatCount(publisher.published)} facts in ${seconds} s; their own time fields (placedAt, paidAt …) span ${day(end - options.days * 86_400_000)} to ${day(end)}`,
    );
    say("  (meta._ts is the real publish time: the store stamps it, so history lives in the payloads)");
  }
}

async function live(
  store: StoreClient,
  options: DemoOptions,
  world: ReturnType<typeof createWorld>,
  signal: AbortSignal,
) {
  world.useRandomIds(); // live facts differ on every run, so reruns never collide
  const publisher = new DemoPublisher(store);
  say(`publishing about ${options.rate} facts per second; Ctrl-C to stop`);
  let budget = 0;
  let last = Date.now();
  let lastStatus = last;
  let reported = 0;
  while (!signal.aborted) {
    const now = Date.now();
    budget += ((now - last) / 1000) * options.rate;
    last = now;
    while (budget >= 1) budget -= (await publishStep(publisher, world, now)).length;
    await publisher.flush();
    if (now - lastStatus >= STATUS_EVERY_MS) {
      const { serial } = await store.facts.latestSerial({}, { signal });
      say(
        `  ${new Date(now).toISOString().slice(11, 19)}  +${formatCount(publisher.published - reported)} facts, latest serial ${formatCount(serial)}`,
      );
      reported = publisher.published;
      lastStatus = now;
    }
    await sleep(TICK_MS, signal);
  }
  say(`stopped after ${formatCount(publisher.published)} live facts`);
}

async function publishStep(publisher: DemoPublisher, world: ReturnType<typeof createWorld>, now: number) {
  const facts = liveStep(world, now);
  await publisher.add(facts);
  return facts;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) {
    say(USAGE);
    return EXIT.ok;
  }
  const abort = new AbortController();
  process.on("SIGINT", () => (abort.signal.aborted ? process.exit(EXIT.interrupted) : abort.abort()));
  process.on("SIGTERM", () => abort.abort());

  let store: StoreClient;
  try {
    store = createStoreClient({
      url: options.store,
      clientId: CLIENT_ID,
      user: process.env.FACTLINE_STORE_USER || undefined,
      password: process.env.FACTLINE_STORE_PASSWORD || undefined,
      ca: process.env.FACTLINE_TLS_CA || undefined,
      warn: (message) => process.stderr.write(`demo: warning: ${message}\n`),
    });
  } catch (err) {
    // A CA file that cannot work (missing, not PEM, for an http:// store): the user's to fix.
    throw err instanceof StoreTargetError ? usageError(`FACTLINE_TLS_CA: ${err.message}`) : err;
  }
  try {
    // The first call, as every FactCast client makes it: a bounded proof that a store answers.
    const server = await store.facts
      .handshake({}, { timeoutMs: HANDSHAKE_TIMEOUT_MS, signal: abort.signal })
      .catch((err: unknown) => {
        throw abort.signal.aborted ? err : storeFailure(err, store.url, "handshake");
      });
    const impl =
      server.properties?.property["org.factcast.grpc.api.Capabilities.FACTCAST_IMPL_VERSION"] ?? "a FactCast server";
    say(`factline demo → ${store.url} (${impl}), seed ${options.seed}`);
    // Before seeding, so the store validates every seeded fact against its version's schema.
    const schemas = await registerSchemas(store, FACT_TYPES, abort.signal);
    say(describeRegistration(schemas));
    const world = createWorld({ seed: options.seed, days: options.days, end: Date.now() });
    await seed(store, options, world, abort.signal);
    if (schemas.available && !abort.signal.aborted) (await describeBreakingChange(store, abort.signal)).forEach(say);
    if (!options.once && !abort.signal.aborted) await live(store, options, world, abort.signal);
    return EXIT.ok;
  } catch (err) {
    // Ctrl-C is how the demo is meant to end; whatever it interrupted is not an error.
    if (abort.signal.aborted) return EXIT.ok;
    const error = storeFailure(err, store.url);
    process.stderr.write(`demo: ${error.message}\n`);
    return error.exitCode;
  } finally {
    store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const error = err instanceof DemoError ? err : new DemoError(String((err as Error)?.stack ?? err), EXIT.usage);
    process.stderr.write(`demo: ${error.message}\n`);
    process.exit(error.exitCode);
  },
);
