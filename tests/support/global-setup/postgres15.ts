/** The `int-pg15` project's PostgreSQL: a throwaway cluster from the machine's PostgreSQL 15. */
import type { TestProject } from "vitest/node";
import "../provided";
import { postgres15Missing, startPostgres15, PG15_BIN_DIR } from "../postgres15";

export default async function setup(project: TestProject) {
  const missing = postgres15Missing();
  // vitest.config.ts already empties this project outside CI, so reaching here means CI=true.
  if (missing) throw new Error(`${missing}; CI must test the oldest supported PostgreSQL`);
  const cluster = await startPostgres15();
  const label = `PostgreSQL ${cluster.version} (${PG15_BIN_DIR})`;
  console.log(`[${project.name}] integration tests run against ${label}`);
  project.provide("pgAdminUrl", cluster.url);
  project.provide("pgLabel", label);
  return () => cluster.stop();
}
