// The /audit page's "export": every entry the filter matches, newest first, as NDJSON or CSV.
// Streamed page by page (keyset, 1,000 entries a page) as the download is read, so a long trail
// never sits in memory and a slow download slows the reading. The store decides who may read it:
// the user's own identity goes upstream, and a refusal is answered with the store's reason.
import type { ListAuditEntriesResponse } from "../../../gen/factline/admin/v1/audit_pb";
import { AUDIT_CSV_HEADER, auditCsvRow, auditNdjsonLine } from "../../../factcast/audit-entry";
import { MAX_AUDIT_PAGE } from "../../../factcast/audit-filter";
import { parseAuditSearchParams } from "../../audit-params";
import { listAuditEntries } from "../rpc/access";
import { log } from "../log";
import { toConsoleError } from "../upstream/errors";
import type { Upstream } from "../upstream/upstream";
import { httpStatus, plain } from "./export";

const encoder = new TextEncoder();

/** Answers GET /api/export/audit?<the /audit page's parameters> (lib/audit-params.ts; the page position is ignored). */
export async function exportAudit(
  upstream: Upstream,
  search: URLSearchParams,
  signal?: AbortSignal,
): Promise<Response> {
  const parsed = parseAuditSearchParams(search);
  if (!parsed.ok) return plain(400, parsed.errors.map((e) => `${e.param}: ${e.message}`).join("\n"));
  const { filter, format } = parsed.params;
  const page = (beforeId: bigint) =>
    listAuditEntries(upstream, { ...filter, beforeId, limit: MAX_AUDIT_PAGE }, signal).catch((err: unknown) => {
      throw toConsoleError(err, upstream.url, "audit export");
    });

  // The first page is read before answering: a refusal or an unreachable store is a clear status
  // with the store's words, not a download that breaks after its headers.
  let pending: ListAuditEntriesResponse | undefined;
  try {
    pending = await page(0n);
  } catch (err) {
    const e = toConsoleError(err, upstream.url, "audit export");
    return plain(httpStatus(e.code), e.rawMessage);
  }

  const line = format === "csv" ? auditCsvRow : auditNdjsonLine;
  let cursor = 0n;
  let written = 0;
  let headerSent = format !== "csv";
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!headerSent) {
          headerSent = true;
          controller.enqueue(encoder.encode(AUDIT_CSV_HEADER));
          return;
        }
        // One page per pull: the next is asked for only when the download has taken this one.
        const current = pending ?? (await page(cursor));
        pending = undefined;
        written += current.entries.length;
        if (current.entries.length > 0) controller.enqueue(encoder.encode(current.entries.map(line).join("")));
        const last = current.entries.at(-1);
        if (!current.hasMore || !last) controller.close();
        else cursor = last.id;
      } catch (err) {
        // Headers are gone: break the download so it is not mistaken for complete.
        log.error("audit export failed mid-stream", { entriesWritten: written, error: (err as Error).message });
        controller.error(err);
      }
    },
  });
  const extension = format === "csv" ? "csv" : "ndjson";
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="audit-${new Date().toISOString().slice(0, 10)}.${extension}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
