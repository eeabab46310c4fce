// Next.js runs this before every route (Next 16's name for middleware): the Host/Origin check, the
// sign-in redirect and the security headers with a per-request CSP nonce (lib/backend/auth/gate.ts).
import type { NextRequest } from "next/server";
import { gate } from "./lib/backend/auth/gate";

export function proxy(req: NextRequest) {
  return gate(req);
}

export const config = {
  // Everything but the build's static files and the icons: they are the same for everyone, carry
  // no data and are served before any page could use them.
  matcher: ["/((?!_next/static|_next/image|favicon\\.ico|favicon\\.svg).*)"],
};
