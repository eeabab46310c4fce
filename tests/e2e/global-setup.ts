/**
 * The whole system for the browser tests: PostgreSQL (DATABASE_URL, else embedded), two store
 * processes (one with factline's admin services, one with FACTLINE_ADMIN_SERVICES=off, i.e. a
 * plain FactCast server), one production build of the console and a `next start` against each.
 * Without Chromium nothing is started: the tests skip (or, under CI=true, the run fails).
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, type RunningPostgres } from "../../store/postgres/embedded";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { startStore, type RunningStore } from "../support/store";
import { findChromium } from "./support/chromium";
import { buildConsole, startConsole, type RunningConsole } from "./support/console";
import "./support/provided";
import "../support/provided";

export default async function setup(project: TestProject) {
  const chromium = findChromium();
  if ("missing" in chromium) {
    if (process.env.CI === "true")
      throw new Error(`browser tests are mandatory under CI=true, but ${chromium.missing}`);
    console.warn(`[e2e] browser tests skipped: ${chromium.missing}`);
    for (const key of [
      "consoleUrl",
      "storeUrl",
      "plainConsoleUrl",
      "plainStoreUrl",
      "chromiumPath",
      "pgAdminUrl",
    ] as const)
      project.provide(key, "");
    project.provide("e2eSkipReason", chromium.missing);
    return;
  }

  const cleanups: (() => Promise<unknown>)[] = [];
  const teardown = async () => {
    for (const cleanup of cleanups.reverse())
      await cleanup().catch((e: Error) => console.error(`[e2e] cleanup: ${e.message}`));
  };
  try {
    // The build needs no database: run it while PostgreSQL and the stores come up.
    const build = buildConsole();
    build.catch(() => undefined);

    let adminUrl = process.env.DATABASE_URL;
    if (!adminUrl) {
      const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "factline-e2e-"));
      cleanups.push(() => fs.rm(dataDir, { recursive: true, force: true }));
      const pg: RunningPostgres = await startEmbeddedPostgres({ dataDir, ephemeral: true });
      cleanups.push(() => pg.stop());
      adminUrl = pg.url;
    }
    const stores: RunningStore[] = [];
    for (const [label, env] of [
      ["e2e_admin", {}],
      ["e2e_plain", { FACTLINE_ADMIN_SERVICES: "off" }],
    ] as const) {
      const db: TestDatabase = await createTestDatabase(adminUrl, label);
      cleanups.push(() => db.drop());
      const store = await startStore({ databaseUrl: db.url, env });
      cleanups.push(() => store.stop());
      stores.push(store);
    }

    await build;
    const consoles: RunningConsole[] = [];
    for (const store of stores) {
      const c = await startConsole(store.url);
      cleanups.push(() => c.stop());
      consoles.push(c);
    }
    console.log(
      `[e2e] console ${consoles[0].url} (store ${stores[0].url}); plain FactCast console ${consoles[1].url} (store ${stores[1].url}); Chromium ${chromium.path}`,
    );
    project.provide("chromiumPath", chromium.path);
    project.provide("e2eSkipReason", "");
    project.provide("consoleUrl", consoles[0].url);
    project.provide("storeUrl", stores[0].url);
    project.provide("plainConsoleUrl", consoles[1].url);
    project.provide("plainStoreUrl", stores[1].url);
    // For files that start a store of their own (e.g. one with an access file: signin.e2e.spec.ts).
    project.provide("pgAdminUrl", adminUrl);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
