/**
 * The abuse files (tests/security/abuse.int.spec.ts, abuse-schemas.int.spec.ts) take turns. Each
 * measures that the store answers every probe within 1 s while one caller abuses it; vitest runs two
 * files at once, and two abuse files side by side measure each other's abuse (the 10,000-streams
 * case's slowest probe: 360 ms alone, 951 ms beside the schema abuse on a quiet machine). A lock
 * directory shared by the test processes of one machine: mkdir is atomic, and a holder that died
 * (its pid gone) leaves a lock the next file takes over.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { isRunning } from "../../store/postgres/postmaster";

const LOCK_DIR = path.join(os.tmpdir(), "factline-abuse-turn.lock");
/** Longer than either file runs (~75 s on CI); past it a file runs anyway and says so. */
const TURN_WAIT_MS = 180_000;
const POLL_MS = 250;

/**
 * Registers the hooks of an abuse file: the turn is taken before the file's own beforeAll (call this
 * first, so its store starts inside the turn) and given back after its afterAll.
 */
export function takeTurnsWithOtherAbuseFiles(): void {
  let giveBack: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    giveBack = await takeAbuseTurn();
  }, TURN_WAIT_MS + 30_000);
  afterAll(async () => {
    await giveBack?.();
  });
}

/** Waits for the turn; returns the function that gives it back. */
async function takeAbuseTurn(): Promise<() => Promise<void>> {
  const owner = path.join(LOCK_DIR, "pid");
  const deadline = Date.now() + TURN_WAIT_MS;
  for (;;) {
    try {
      await fs.mkdir(LOCK_DIR);
      await fs.writeFile(owner, String(process.pid));
      return () => fs.rm(LOCK_DIR, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number(await fs.readFile(owner, "utf8").catch(() => "0"));
    if (holder > 0 && holder !== process.pid && !isRunning(holder)) {
      await fs.rm(LOCK_DIR, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      console.warn(`[abuse] waited ${TURN_WAIT_MS} ms for the other abuse file; running beside it`);
      return async () => {};
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
