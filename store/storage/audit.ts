import type { Db } from "./db";

// The audit trail's SQL (table audit_entry, migration 050): append one entry, read a page newest
// first. What goes into an entry and when is decided in store/audit/.

export type AuditOutcome = "ok" | "denied" | "unauthenticated" | "rejected" | "failed";

export interface AuditEntry {
  account: string;
  via: string;
  action: string;
  outcome: AuditOutcome;
  ns?: string;
  subject?: string;
  reason?: string;
  detail?: string;
  address?: string;
  forwardedFor?: string;
  client?: string;
}

export interface AuditRecord extends Required<Omit<AuditEntry, "ns">> {
  id: bigint;
  atMs: number;
  ns: string | undefined;
}

export interface AuditFilter {
  /** Exact, or a prefix when it ends with `*` (as in `schema.*`); the same for action and ns. */
  account?: string;
  action?: string;
  ns?: string;
  /** Epoch ms, inclusive. */
  fromMs?: number;
  /** Epoch ms, exclusive. */
  toMs?: number;
  /** Keyset: only entries older than this id. */
  beforeId?: bigint;
  /** Keyset the other way: only entries newer than this id, the `limit` nearest to it. */
  afterId?: bigint;
  limit: number;
}

// A detail (an import's summary, a refusal's message) is for people: a few kilobytes say it all,
// and a caller must not be able to make one entry megabytes large.
const MAX_TEXT_CHARS = 4_000;

/** Appends one entry and returns its id. */
export async function appendAudit(db: Db, entry: AuditEntry): Promise<bigint> {
  const { rows } = await db.query<{ id: bigint }>(
    `INSERT INTO audit_entry (account, via, action, outcome, ns, subject, reason, detail, address, forwarded_for, client)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
    [
      cut(entry.account),
      entry.via,
      entry.action,
      entry.outcome,
      entry.ns ?? null,
      cut(entry.subject ?? ""),
      cut(entry.reason ?? ""),
      cut(entry.detail ?? ""),
      cut(entry.address ?? ""),
      cut(entry.forwardedFor ?? ""),
      cut(entry.client ?? ""),
    ],
  );
  return rows[0].id;
}

/**
 * One page, newest first, and whether more entries match beyond it: older ones, or with `afterId`
 * newer ones (that page is read upwards from `afterId` and then turned round).
 */
export async function auditPage(db: Db, filter: AuditFilter): Promise<{ entries: AuditRecord[]; hasMore: boolean }> {
  const where: string[] = [];
  const args: unknown[] = [];
  const arg = (value: unknown) => {
    args.push(value);
    return `$${args.length}`;
  };
  for (const [column, value] of [
    ["account", filter.account],
    ["action", filter.action],
    ["ns", filter.ns],
  ] as const) {
    if (value === undefined) continue;
    where.push(
      value.endsWith("*") ? `${column} LIKE ${arg(likePrefix(value.slice(0, -1)))}` : `${column} = ${arg(value)}`,
    );
  }
  if (filter.fromMs !== undefined) where.push(`at >= to_timestamp(${arg(filter.fromMs / 1000)})`);
  if (filter.toMs !== undefined) where.push(`at < to_timestamp(${arg(filter.toMs / 1000)})`);
  if (filter.beforeId !== undefined) where.push(`id < ${arg(filter.beforeId)}`);
  if (filter.afterId !== undefined) where.push(`id > ${arg(filter.afterId)}`);
  const upwards = filter.afterId !== undefined;
  const { rows } = await db.query<Omit<AuditRecord, "ns"> & { ns: string | null }>(
    `SELECT id, floor(extract(epoch FROM at) * 1000)::float8 AS "atMs", account, via, action, outcome, ns, subject,
            reason, detail, address, forwarded_for AS "forwardedFor", client
       FROM audit_entry ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY id ${upwards ? "ASC" : "DESC"} LIMIT ${arg(filter.limit + 1)}`,
    args,
  );
  const hasMore = rows.length > filter.limit;
  const page = rows.slice(0, filter.limit).map((r) => ({ ...r, ns: r.ns ?? undefined }));
  return { entries: upwards ? page.reverse() : page, hasMore };
}

function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function cut(text: string): string {
  return text.length > MAX_TEXT_CHARS ? `${text.slice(0, MAX_TEXT_CHARS)}…` : text;
}
