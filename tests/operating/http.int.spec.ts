// The store's HTTP port with an access file: who may read health and metrics (README "Operating"),
// FACTLINE_HTTP_OPEN for scrapers, paths and methods it does not serve, and the settings it refuses
// at start.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStore } from "../support/store.js";
import { basic, startSecuredStore, type SecuredStore } from "../security/support.js";

const ACCESS = {
  accounts: [
    { id: "ops", roles: ["operator"] },
    { id: "reader", roles: ["reader"] },
  ],
  roles: [
    { id: "operator", operate: true },
    { id: "reader", read: { include: ["*"] } },
  ],
};
const SECRETS = "factcast.access.secrets.ops=ops-pw\nfactcast.access.secrets.reader=reader-pw\n";

let fx: SecuredStore;
beforeAll(async () => {
  fx = await startSecuredStore({ access: ACCESS, secrets: SECRETS, label: "http" });
}, 90_000);
afterAll(async () => {
  await fx?.close();
}, 30_000);

async function get(path: string, authorization?: string, method = "GET") {
  const res = await fetch(`${fx.store.httpUrl}${path}`, {
    method,
    headers: authorization ? { authorization } : {},
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

describe("the HTTP port with an access file", () => {
  it("asks for credentials on every endpoint, offering Basic", async () => {
    for (const path of ["/metrics", "/health/live", "/health/ready"]) {
      const res = await get(path);
      expect(res.status, path).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Basic realm="factline"');
      expect(JSON.parse(res.text).error).toMatch(/authentication required: send HTTP Basic credentials/);
    }
  });

  it("refuses wrong credentials, malformed ones and schemes it does not accept", async () => {
    expect((await get("/health/live", basic("reader", "nope"))).text).toMatch(/wrong user or password/);
    expect((await get("/health/live", basic("nobody", "x"))).text).toMatch(/wrong user or password/);
    expect((await get("/health/live", "Basic !!!")).status).toBe(401);
    const bearer = await get("/health/live", "Bearer abc.def.ghi");
    expect(bearer.status).toBe(401);
    expect(JSON.parse(bearer.text).error).toMatch(/authorization scheme "Bearer" is not accepted; use Basic/);
  });

  it("serves health to any account and metrics only to accounts with operate", async () => {
    expect((await get("/health/live", basic("reader", "reader-pw"))).status).toBe(200);
    expect((await get("/health/ready", basic("reader", "reader-pw"))).status).toBe(200);
    const refused = await get("/metrics", basic("reader", "reader-pw"));
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text).error).toBe(
      'account "reader" may not read metrics (a role needs "operate": true, or set FACTLINE_HTTP_OPEN=metrics)',
    );
    const metrics = await get("/metrics", basic("ops", "ops-pw"));
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^# HELP /m);
  });

  it("answers 404 for other paths and 405 for other methods, before asking who calls", async () => {
    for (const path of ["/", "/metrics/", "/health", "/health/ready/x", "/metrics.txt", "/METRICS"]) {
      expect((await get(path)).status, path).toBe(404);
    }
    for (const method of ["POST", "PUT", "DELETE", "OPTIONS"]) {
      const res = await get("/metrics", undefined, method);
      expect(res.status, method).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, HEAD");
    }
  });

  it("answers HEAD like GET without a body, and ignores a query string", async () => {
    const head = await get("/health/live", basic("reader", "reader-pw"), "HEAD");
    expect(head.status).toBe(200);
    expect(head.text).toBe("");
    expect((await get("/health/live?probe=1", basic("reader", "reader-pw"))).status).toBe(200);
  });
});

describe("FACTLINE_HTTP_OPEN", () => {
  it("leaves metrics and health open to callers without credentials; gRPC still needs them", async () => {
    const open = await startStore({
      databaseUrl: fx.databaseUrl,
      env: {
        FACTLINE_ACCESS_FILE: `${fx.dir}/factcast-access.json`,
        FACTLINE_SECRETS_FILE: `${fx.dir}/secrets.properties`,
        FACTLINE_HTTP_OPEN: "metrics,health",
      },
    });
    try {
      for (const path of ["/metrics", "/health/live", "/health/ready"]) {
        expect((await fetch(`${open.httpUrl}${path}`)).status, path).toBe(200);
      }
    } finally {
      await open.stop();
    }
  });

  it("opens only what it lists", async () => {
    const open = await startStore({
      databaseUrl: fx.databaseUrl,
      env: {
        FACTLINE_ACCESS_FILE: `${fx.dir}/factcast-access.json`,
        FACTLINE_SECRETS_FILE: `${fx.dir}/secrets.properties`,
        FACTLINE_HTTP_OPEN: "health",
      },
    });
    try {
      expect((await fetch(`${open.httpUrl}/health/ready`)).status).toBe(200);
      expect((await fetch(`${open.httpUrl}/metrics`)).status).toBe(401);
    } finally {
      await open.stop();
    }
  });
});

describe("start-up refusals", () => {
  async function refusal(env: Record<string, string>): Promise<string> {
    return startStore({ databaseUrl: fx.databaseUrl, env }).then(
      async (s) => {
        await s.stop();
        throw new Error(`the store started: ${s.output()}`);
      },
      (err: Error) => err.message,
    );
  }

  it.each([
    [
      { FACTLINE_HTTP_OPEN: "metrics,grpc" },
      /FACTLINE_HTTP_OPEN must list .*metrics, health, both .*got "metrics,grpc"/,
    ],
    [{ FACTLINE_HTTP_PORT: "70000" }, /FACTLINE_HTTP_PORT must be a whole number from 0 to 65535, got "70000"/],
    [{ FACTLINE_HTTP_PORT: "http" }, /FACTLINE_HTTP_PORT must be a whole number/],
    [{ FACTLINE_LOG: "loud" }, /FACTLINE_LOG must be one of debug, info, warn, error, silent, got "loud"/],
    [{ FACTLINE_LOG_FORMAT: "xml" }, /FACTLINE_LOG_FORMAT must be json or pretty, got "xml"/],
    [{ FACTLINE_HEARTBEAT_MS: "5" }, /FACTLINE_HEARTBEAT_MS must be a whole number from 100 to 60000/],
  ])("refuses %o, saying what to fix", async (env, message) => {
    expect(await refusal(env)).toMatch(message);
  });

  it("refuses an HTTP port that is taken, naming it", async () => {
    const port = new URL(fx.store.httpUrl).port;
    expect(await refusal({ FACTLINE_HTTP_PORT: port })).toMatch(
      new RegExp(
        `FACTLINE_HTTP_PORT ${port} is already in use on 127\\.0\\.0\\.1; choose another port \\(0 picks a free one\\)`,
      ),
    );
  });
});
