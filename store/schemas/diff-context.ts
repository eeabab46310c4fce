/** What the parts of the schema diff share: where changes go, and how to recurse. */
import type { ChangeKind, SchemaChange } from "./diff";

export interface Breaks {
  readers: boolean;
  writers: boolean;
}

export interface DiffContext {
  /** Changes found so far. */
  readonly out: SchemaChange[];
  /** Compares two subschemas (before from the old schema, after from the new) at a payload path. */
  walk(path: string, before: unknown, after: unknown): void;
  /** Whether before → after breaks readers or writers, without reporting the changes themselves. */
  breaks(path: string, before: unknown, after: unknown): Breaks;
}

export const READERS: Breaks = { readers: true, writers: false };
export const WRITERS: Breaks = { readers: false, writers: true };
export const BOTH: Breaks = { readers: true, writers: true };
export const NEITHER: Breaks = { readers: false, writers: false };

export function change(
  path: string,
  kind: ChangeKind,
  description: string,
  breaks: Breaks,
  before?: unknown,
  after?: unknown,
): SchemaChange {
  const result: SchemaChange = {
    path,
    kind,
    description,
    breakingForReaders: breaks.readers,
    breakingForWriters: breaks.writers,
  };
  if (before !== undefined) result.before = before;
  if (after !== undefined) result.after = after;
  return result;
}
