// The registry's wire messages reshaped, in one place, into what `--json` prints and the text
// output reads: plain numbers instead of int64 bigints, ISO times, change kinds as short names,
// schema and example texts parsed so `jq` can reach into them.
import {
  ChangeKind,
  type CheckCandidateResponse,
  type GetSchemaResponse,
  type SchemaChange,
  type SchemaVersion,
  type ValidationError,
} from "../../gen/factline/admin/v1/schemas_pb";

export interface ChangeView {
  path: string;
  /** e.g. "field_made_required" (the proto's ChangeKind without its prefix). */
  kind: string;
  description: string;
  breakingForReaders: boolean;
  breakingForWriters: boolean;
  before?: unknown;
  after?: unknown;
}

export interface PayloadErrorView {
  pointer: string;
  message: string;
  keyword: string;
  schemaPath: string;
}

export interface CheckView {
  schemaValid: boolean;
  schemaProblems: Array<{ pointer: string; message: string }>;
  /** Already registered (unchanged: with exactly this schema). */
  exists: boolean;
  unchanged: boolean;
  /** 0 when there was nothing to compare with. */
  comparedToVersion: number;
  breakingForReaders: boolean;
  breakingForWriters: boolean;
  changes: ChangeView[];
  dryRun: {
    checked: number;
    failed: number;
    incomplete: boolean;
    firstFailures: Array<{ serial: number; factId: string; errors: PayloadErrorView[] }>;
  };
}

export interface SchemaView {
  ns: string;
  type: string;
  version: number;
  description: string;
  registeredBy: string;
  /** ISO-8601 */
  registeredAt: string;
  revision: number;
  hash: string;
  factCount: number;
  /** Only where the store sent it (get, register; not list). */
  schema?: unknown;
  examples?: unknown[];
}

export function changeKindName(kind: ChangeKind): string {
  return (ChangeKind[kind] ?? "OTHER").toLowerCase();
}

export function changeView(c: SchemaChange): ChangeView {
  return {
    path: c.path,
    kind: changeKindName(c.kind),
    description: c.description,
    breakingForReaders: c.breakingForReaders,
    breakingForWriters: c.breakingForWriters,
    ...(c.before ? { before: parseOrText(c.before) } : {}),
    ...(c.after ? { after: parseOrText(c.after) } : {}),
  };
}

export function payloadErrorView(e: ValidationError): PayloadErrorView {
  return { pointer: e.pointer, message: e.message, keyword: e.keyword, schemaPath: e.schemaPath };
}

export function checkView(res: CheckCandidateResponse): CheckView {
  const dryRun = res.dryRun;
  return {
    schemaValid: res.schemaValid,
    schemaProblems: res.schemaProblems.map((p) => ({ pointer: p.pointer, message: p.message })),
    exists: res.exists,
    unchanged: res.unchanged,
    comparedToVersion: res.comparedToVersion,
    breakingForReaders: res.breakingForReaders,
    breakingForWriters: res.breakingForWriters,
    changes: res.changes.map(changeView),
    dryRun: {
      checked: Number(dryRun?.checked ?? 0n),
      failed: Number(dryRun?.failed ?? 0n),
      incomplete: dryRun?.incomplete ?? false,
      firstFailures: (dryRun?.firstFailures ?? []).map((f) => ({
        serial: Number(f.serial),
        factId: f.factId,
        errors: f.errors.map(payloadErrorView),
      })),
    },
  };
}

export function schemaView(s: SchemaVersion): SchemaView {
  const view: SchemaView = {
    ns: s.key?.ns ?? "",
    type: s.key?.type ?? "",
    version: s.key?.version ?? 0,
    description: s.description,
    registeredBy: s.registeredBy,
    registeredAt: new Date(Number(s.registeredMs)).toISOString(),
    revision: s.revision,
    hash: s.hash,
    factCount: Number(s.factCount),
  };
  // List results carry no schema text (and so no examples worth showing).
  if (s.schemaJson !== "") {
    view.schema = parseOrText(s.schemaJson);
    view.examples = s.examples.map(parseOrText);
  }
  return view;
}

/** `schema get --json`: the record and the revisions forced registrations replaced, newest first. */
export function schemaRecordView(res: GetSchemaResponse) {
  return {
    ...schemaView(res.schema!),
    history: res.history.map((h) => ({
      revision: h.revision,
      schema: parseOrText(h.schemaJson),
      registeredBy: h.registeredBy,
      registeredAt: new Date(Number(h.registeredMs)).toISOString(),
      reason: h.reason,
    })),
  };
}

/** The store only holds JSON texts; should one ever not parse, show it rather than fail. */
function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
