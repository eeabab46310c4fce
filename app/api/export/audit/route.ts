// GET /api/export/audit?<the /audit page's filters>&format=ndjson|csv: the filtered audit log as a
// streamed file, read from the store as the signed-in user (lib/backend/routes/audit-export.ts);
// refused when signed out (lib/backend/auth/request.ts).
import type { NextRequest } from "next/server";
import { identifyApiCall } from "../../../../lib/backend/auth/request";
import { exportAudit } from "../../../../lib/backend/routes/audit-export";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(req: NextRequest): Promise<Response> {
  const caller = await identifyApiCall(req);
  if (caller instanceof Response) return caller;
  return exportAudit(caller, req.nextUrl.searchParams, req.signal);
}
