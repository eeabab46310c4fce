/** bench/results/<timestamp>.json: every figure with the conditions it was measured under. */
import fs from "node:fs/promises";
import path from "node:path";
import type { MachineInfo } from "../env/machine";
import type { Figure, Unavailable } from "../measure";
import type { BenchOptions } from "../options";

export interface ResultsFile {
  /** Bumped when the shape changes, so comparisons across runs know what they read. */
  format: 1;
  startedAt: string;
  finishedAt: string;
  options: BenchOptions;
  machine: MachineInfo;
  /** Load averages at the end too: a run whose load rose meanwhile was measured on a busy machine. */
  loadAverageAtEnd: number[];
  postgres: { label: string; version: string };
  git: { commit: string; dirty: boolean };
  figures: Figure[];
  unavailable: Unavailable[];
  table: string;
}

export async function writeResultsFile(dir: string, results: ResultsFile): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const stamp = results.startedAt.replace(/[:.]/g, "-");
  const file = path.join(dir, `${stamp}.json`);
  await fs.writeFile(file, JSON.stringify(results, null, 2) + "\n");
  return file;
}
