// GET /api/export?<the fact browser's query parameters>: the whole result as a streamed NDJSON file,
// read as the signed-in user (the same session and permissions as browsing; refused when signed out).
import type { NextRequest } from "next/server";
import { identifyApiCall } from "../../../lib/backend/auth/request";
import { exportFacts } from "../../../lib/backend/routes/export";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(req: NextRequest): Promise<Response> {
  const caller = await identifyApiCall(req);
  if (caller instanceof Response) return caller;
  return exportFacts(caller, req.nextUrl.searchParams, req.signal);
}
