// follow: live delivery, Ctrl-C and closed pipes, through the real executable.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueName } from "../support/facts.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";
import { ndjson, runCli, startCli } from "./run-cli.js";

let fixture: StoreFixture;
let url: string;

beforeAll(async () => {
  fixture = await startStoreOnFreshDatabase("cli_follow");
  url = fixture.store.url;
});
afterAll(() => fixture?.close());

const publish = (ns: string, payload: string) =>
  runCli(url, ["publish", "--ns", ns, "--type", "Ping"], { input: payload + "\n" });

describe("follow", () => {
  it("shows a fact published after it started, not the history, and ends on Ctrl-C with exit 0", async () => {
    const ns = uniqueName("live");
    await publish(ns, `{"n":"old"}`);
    const follow = startCli(url, ["follow", "--ns", ns]);
    const first = follow.waitForLines(1, 30_000);
    // Following starts "from now" once the subscription is open, which the test cannot observe;
    // so it publishes until the follower shows one.
    let n = 0;
    let seen = false;
    void first.then(
      () => (seen = true),
      () => (seen = true),
    );
    while (!seen && n < 40) {
      await publish(ns, `{"n":${n++}}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const [line] = await first;
    expect(JSON.parse(line).payload).not.toEqual({ n: "old" });
    expect(JSON.parse(line).header).toMatchObject({ ns, type: "Ping" });

    follow.child.kill("SIGINT");
    const end = await follow.result;
    expect(end.code).toBe(0);
    expect(end.stderr).toBe("");
    expect(ndjson(end.stdout).every((f) => f.header.ns === ns)).toBe(true);
  });

  it("--from 0 prints the history first, then facts as they come", async () => {
    const ns = uniqueName("history");
    await publish(ns, `{"n":1}`);
    const follow = startCli(url, ["follow", "--ns", ns, "--from", "0"]);
    await follow.waitForLines(1);
    await publish(ns, `{"n":2}`);
    await follow.waitForLines(2);
    follow.child.kill("SIGINT");
    const end = await follow.result;
    expect(end.code).toBe(0);
    expect(ndjson(end.stdout).map((f) => f.payload)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("ends quietly when the reader of its output goes away (| head)", async () => {
    const ns = uniqueName("pipe");
    await runCli(url, ["publish", "--ns", ns], {
      input: Array.from({ length: 3_000 }, (_, i) => `{"i":${i}}`).join("\n"),
    });
    const follow = startCli(url, ["follow", "--ns", ns, "--from", "0"]);
    await follow.waitForLines(1);
    follow.child.stdout.destroy(); // what `head` does after its lines
    const end = await follow.result;
    expect(end.code).toBe(0);
    expect(end.stderr).toBe("");
  });
});

describe("catchup", () => {
  it("ends on Ctrl-C with exit 0 too", async () => {
    const ns = uniqueName("ctrlc");
    const pad = "x".repeat(200); // 3,000 lines of this far exceed a pipe's buffer
    await runCli(url, ["publish", "--ns", ns], {
      input: Array.from({ length: 3_000 }, (_, i) => `{"i":${i},"pad":"${pad}"}`).join("\n"),
    });
    const catchup = startCli(url, ["catchup", "--ns", ns]);
    await catchup.waitForLines(1);
    catchup.child.stdout.pause(); // a slow reader: the catch-up cannot finish before the signal
    catchup.child.kill("SIGINT");
    catchup.child.stdout.resume();
    const end = await catchup.result;
    expect(end.code).toBe(0);
    expect(end.stderr).toBe("");
    expect(ndjson(end.stdout).length).toBeLessThan(3_000); // it really was interrupted
  });
});

// Last in this file: it takes the store down.
describe("when the store goes away", () => {
  it("follow exits 3 with one line", async () => {
    const follow = startCli(url, ["follow", "--from", "0"]);
    await follow.waitForLines(1);
    fixture.store.kill(); // SIGKILL: the connection is reset, no goodbye
    const end = await follow.result;
    expect(end.code).toBe(3);
    expect(end.stderr).toMatch(
      /^factline: (lost the connection to the store at|the store at|cannot reach the store at) http:\/\/127\.0\.0\.1:\d+.*\n$/,
    );
  });
});
