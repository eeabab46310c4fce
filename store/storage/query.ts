import type { FactSpec } from "../facts/spec";
import { cancellableQuery, type Db } from "./db";
import { specsPredicate } from "./spec-sql";

export interface FactPageRequest {
  specs: FactSpec[];
  newestFirst: boolean;
  /** Exclusive bounds; undefined = open. */
  afterSerial?: bigint;
  beforeSerial?: bigint;
  limit: number;
  /** Cut payloads longer than this many characters; 0 = whole payloads. */
  previewChars: number;
  /** The caller gave up: the query is cancelled in the database. */
  signal?: AbortSignal;
  /** The query is cancelled after this long; 0 or undefined: no limit. */
  timeoutMs?: number;
}

export interface FactPageRow {
  ser: bigint;
  header: string;
  payload: string;
  payloadBytes: number;
  truncated: boolean;
}

/**
 * One keyset page of facts: `ser` bounds instead of offsets, so a page is stable while facts
 * arrive and paging has no depth limit. Reads limit + 1 rows to know whether more exist.
 */
export async function factPage(db: Db, request: FactPageRequest): Promise<{ rows: FactPageRow[]; hasMore: boolean }> {
  const params: unknown[] = [request.previewChars];
  const where: string[] = [];
  if (request.afterSerial !== undefined) {
    params.push(request.afterSerial.toString());
    where.push(`ser > $${params.length}`);
  }
  if (request.beforeSerial !== undefined) {
    params.push(request.beforeSerial.toString());
    where.push(`ser < $${params.length}`);
  }
  if (request.specs.length > 0) where.push(`(${specsPredicate(request.specs, params)})`);
  params.push(request.limit + 1);
  const { rows } = await cancellableQuery<FactPageRow>(
    db,
    `SELECT ser, header::text AS header,
            CASE WHEN $1 > 0 AND length(payload::text) > $1 THEN left(payload::text, $1) ELSE payload::text END AS payload,
            octet_length(payload::text) AS "payloadBytes",
            $1 > 0 AND length(payload::text) > $1 AS truncated
       FROM fact
      ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY ser ${request.newestFirst ? "DESC" : "ASC"}
      LIMIT $${params.length}`,
    params,
    { signal: request.signal, timeoutMs: request.timeoutMs, what: "a fact page query" },
  );
  const hasMore = rows.length > request.limit;
  return { rows: hasMore ? rows.slice(0, request.limit) : rows, hasMore };
}
