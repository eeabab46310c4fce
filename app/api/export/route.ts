// GET /api/export?<the fact browser's query parameters>: the whole result as a streamed NDJSON file.
import type { NextRequest } from "next/server";
import { exportFacts } from "../../../lib/backend/routes/export";
import { sharedUpstream } from "../../../lib/backend/upstream/upstream";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function GET(req: NextRequest): Promise<Response> {
  return exportFacts(sharedUpstream(), req.nextUrl.searchParams, req.signal);
}
