// The console's browser API: ConsoleService and SchemaService with the Connect protocol under /api/,
// on Node (the upstream client speaks HTTP/2 to the store) and never cached (every answer is live data).
import { createConsoleApiHandler } from "../../../lib/backend/routes/api-handler";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const handler = createConsoleApiHandler();

/** Connect's GET form (idempotent procedures) and the usual POST. */
export const GET = handler;
export const POST = handler;
