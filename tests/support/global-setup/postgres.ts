/** The `int` project's PostgreSQL: DATABASE_URL when given, else a throwaway embedded cluster. */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../../../store/postgres/embedded";
import "../provided";
import { serverVersion } from "./server-version";

export default async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    const url = process.env.DATABASE_URL;
    const label = `DATABASE_URL (PostgreSQL ${await serverVersion(url)})`;
    announce(project, url, label);
    return;
  }
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "factline-int-"));
  // Quiet unless it fails: startEmbeddedPostgres puts PostgreSQL's output into its error.
  const postgres = await startEmbeddedPostgres({ dataDir, ephemeral: true }).catch(async (error) => {
    await fs.rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  announce(project, postgres.url, `embedded PostgreSQL ${await serverVersion(postgres.url)}`);
  return async () => {
    await postgres.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  };
}

function announce(project: TestProject, url: string, label: string) {
  console.log(`[${project.name}] integration tests run against ${label}`);
  project.provide("pgAdminUrl", url);
  project.provide("pgLabel", label);
}
