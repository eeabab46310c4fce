// The console's browser API: ConsoleService and SchemaService with the Connect protocol under /api/,
// on Node (the upstream client speaks HTTP/2 to the store) and never cached (every answer is live data).
// Every call runs as its signed-in user, or is refused with `unauthenticated` (lib/backend/auth/request.ts).
import { endingRefusedSessions, identifyApiCall } from "../../../lib/backend/auth/request";
import { createConsoleApiHandler } from "../../../lib/backend/routes/api-handler";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const handler = endingRefusedSessions(createConsoleApiHandler({ identify: identifyApiCall }));

/** Connect's GET form (idempotent procedures) and the usual POST. */
export const GET = handler;
export const POST = handler;
