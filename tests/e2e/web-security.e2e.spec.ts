// The console's front door (README "Web security"), on the shared e2e console (no sign-in: the
// checks hold in every mode): requests for another Host (DNS rebinding) or from another Origin are
// refused. And FACTLINE_CONSOLE_AUTH=none — set, or the default against a store without an access
// file — on an address other machines can reach: `npm run console` and `npm start` refuse to start,
// saying why, before anything listens.
import { spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import { fileURLToPath } from "node:url";
import { expect, inject, it } from "vitest";
import { launchConsole } from "../../scripts/launch/console";
import { e2eDescribe } from "./support/browser";
import { E2E_DIST_DIR } from "./support/console";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

const API = "/api/factline.console.v1.ConsoleService";

e2eDescribe("the console's front door", () => {
  const base = inject("consoleUrl");

  it("refuses requests for another Host (DNS rebinding) or from another Origin", async () => {
    const port = new URL(base).port;
    const raw = (opts: { method?: string; path: string; headers: Record<string, string>; body?: string }) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          { host: "127.0.0.1", port, method: opts.method ?? "GET", path: opts.path, headers: opts.headers },
          (res) => {
            let body = "";
            res.on("data", (c: Buffer) => (body += c.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on("error", reject);
        req.end(opts.body);
      });
    expect((await raw({ path: "/login", headers: { host: `evil.example:${port}` } })).status).toBe(421);
    expect((await raw({ path: "/login", headers: { host: `127.0.0.1:${Number(port) + 1}` } })).status).toBe(421);
    // Its own loopback names are the console's: a page, and an API call from its own page, are answered.
    expect((await raw({ path: "/", headers: { host: `localhost:${port}` } })).status).toBe(200);
    const api = { method: "POST", path: `${API}/GetCatalog`, body: "{}" };
    const json = { host: `127.0.0.1:${port}`, "content-type": "application/json" };
    for (const origin of ["https://evil.example", "null", `http://127.0.0.1:${Number(port) + 1}`]) {
      const res = await raw({ ...api, headers: { ...json, origin } });
      expect(res.status, origin).toBe(403);
      expect(res.body).toMatch(/are refused: only the console's own pages may call it/);
    }
    expect((await raw({ ...api, headers: { ...json, origin: base } })).status).toBe(200);
    expect((await raw({ ...api, headers: json })).body).toMatch(/must carry an Origin header/);
    expect((await raw({ ...api, headers: { ...json, origin: base, "content-type": "text/plain" } })).status).toBe(415);
    // The sign-in form itself: posted from another site, refused before it is read.
    const form = { method: "POST", path: "/login", body: "username=operator&password=x" };
    const formHeaders = { host: `127.0.0.1:${port}`, "content-type": "application/x-www-form-urlencoded" };
    expect((await raw({ ...form, headers: { ...formHeaders, origin: "https://evil.example" } })).status).toBe(403);
  });

  it("will not start open on an address others can reach (npm run console, npm start, and by default)", async () => {
    const refuse = (script: string, env: Record<string, string>) =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", script], {
          cwd: repoRoot,
          env: { ...process.env, FACTLINE_CONSOLE_DIST_DIR: E2E_DIST_DIR, ...env },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        child.stdout.on("data", (c: Buffer) => (output += c.toString()));
        child.stderr.on("data", (c: Buffer) => (output += c.toString()));
        child.once("exit", (code) => resolve({ code, output }));
      });
    for (const script of ["scripts/console.ts", "scripts/start.ts"]) {
      const { code, output } = await refuse(script, { FACTLINE_CONSOLE_AUTH: "none", HOST: "0.0.0.0" });
      expect(code, output).toBe(1);
      expect(output).toContain(
        "FACTLINE_CONSOLE_AUTH=none is allowed only while the console listens on a loopback address, but HOST=0.0.0.0",
      );
      expect(output).not.toContain("listening");
    }
    // Unset, against a store without an access file: the default would be none, so the same refusal.
    await expect(
      launchConsole({ distDir: E2E_DIST_DIR, storeUrl: inject("storeUrl"), host: "0.0.0.0", port: 0 }),
    ).rejects.toThrow(/runs without an access file, so the console would need no sign-in/);
  });
});
