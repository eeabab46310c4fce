// What the executable does before any store answers: help, usage errors (exit 1) and an unreachable
// store (exit 3). No store runs here; ports below 1024 on 127.0.0.1 refuse connections.
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

const COMMANDS = ["publish", "catchup", "follow", "get", "namespaces", "types", "versions", "info", "audit"];

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe("help", () => {
  it("lists every command", async () => {
    const res = await runCli(undefined, ["--help"]);
    expect(res.code).toBe(0);
    for (const name of COMMANDS) expect(res.stdout).toMatch(new RegExp(`^  ${name}\\b`, "m"));
  });

  it.each(COMMANDS)("%s --help explains the command with examples and the global options", async (name) => {
    const res = await runCli(undefined, [name, "--help"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^Usage: factline ${name}`));
    expect(res.stdout).toMatch(/Examples:\n  \$ factline /);
    expect(res.stdout).toContain("--store <url>");
  });

  it("prints the version", async () => {
    const res = await runCli(undefined, ["--version"]);
    expect(res).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
  });
});

describe("usage errors exit 1 with a message on stderr", () => {
  it.each([
    [["frobnicate"], /unknown command 'frobnicate'/],
    [["catchup", "--bogus"], /unknown option '--bogus'/],
    [["catchup", "--agg-id", "nope"], /expected a UUID/],
    [["catchup", "--from", "yesterday"], /expected a serial \(1200\), a date \(2024-05-31\) or a fact id/],
    [["catchup", "--from", "1", "--after", "2"], /cannot be used with/],
    [["get"], /missing required argument/],
    [["get", "x"], /expected a serial/],
    [["types"], /missing required argument 'ns'/],
    [["publish", "--type", "T"], /--type only applies with --ns/],
    [["publish", "--ns", "a", "--version", "x"], /expected an integer/],
    [["info", "--store", "localhost:9090"], /--store must start with http:\/\//],
    [["info", "--password", "p"], /--password \(or FACTLINE_STORE_PASSWORD\) needs --user/],
  ])("factline %j", async (args, message) => {
    const res = await runCli(undefined, args as string[]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe("");
    expect(res.stderr).toMatch(/^factline: /);
    expect(res.stderr).toMatch(message);
  });
});

describe("an unreachable store", () => {
  it.each([["info"], ["catchup"], ["follow"], ["get", "1"], ["namespaces"], ["publish", "--ns", "a"]])(
    "factline %j exits 3 with one line saying what to do",
    async (...args) => {
      const url = `http://127.0.0.1:${await closedPort()}`;
      const res = await runCli(url, args, { input: "{}\n" });
      expect(res.code).toBe(3);
      expect(res.stdout).toBe("");
      expect(res.stderr).toBe(
        `factline: cannot reach the store at ${url} (connection refused); is it running? use --store or FACTLINE_STORE_URL\n`,
      );
    },
  );

  it("names the store from --store over FACTLINE_STORE_URL", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const res = await runCli("http://127.0.0.1:1", ["namespaces", "--store", url]);
    expect(res.stderr).toContain(`cannot reach the store at ${url} `);
  });
});
