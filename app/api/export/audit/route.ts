// GET /api/export/audit?<the /audit page's filters>&format=ndjson|csv: the filtered audit log as a
// streamed file, read from the store as the user (lib/backend/routes/audit-export.ts).
import type { NextRequest } from "next/server";
import { exportAudit } from "../../../../lib/backend/routes/audit-export";
import { sharedUpstream } from "../../../../lib/backend/upstream/upstream";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function GET(req: NextRequest): Promise<Response> {
  return exportAudit(sharedUpstream(), req.nextUrl.searchParams, req.signal);
}
