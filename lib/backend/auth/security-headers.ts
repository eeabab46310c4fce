// The headers every console response carries (proxy.ts sets them). The Content-Security-Policy
// allows only scripts carrying this response's nonce, and what those load ('strict-dynamic'): an
// injected <script> or inline handler does not run even if markup ever slipped through. Next.js
// puts the nonce on its own scripts when it finds the policy on the request (pages are rendered
// per request: the root layout reads cookies).
import { randomBytes } from "node:crypto";

export interface CspOptions {
  nonce: string;
  /** `next dev` evaluates code for its error overlay; production never does. */
  dev?: boolean;
  /** Where sign-in forms may lead besides the console (the OIDC provider, for a no-JavaScript sign-out). */
  formTargets?: string[];
}

/** 128 random bits per response, as CSP asks of a nonce. */
export function newNonce(): string {
  return randomBytes(16).toString("base64");
}

export function contentSecurityPolicy({ nonce, dev = false, formTargets = [] }: CspOptions): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // React writes style attributes (virtualised rows, grid columns); styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    `form-action 'self'${formTargets.map((t) => ` ${t}`).join("")}`,
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Besides the policy: no MIME sniffing, no console URL (namespaces, filters) leaked to other sites, no framing by old browsers. */
export const STATIC_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
};
