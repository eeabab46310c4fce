import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, newNonce } from "./security-headers";

describe("the content security policy", () => {
  it("runs only scripts with this response's nonce, and nothing may frame the console", () => {
    const nonce = newNonce();
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(newNonce()).not.toBe(nonce);
    const csp = contentSecurityPolicy({ nonce });
    expect(csp).toContain(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
    for (const part of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "form-action 'self'"]) {
      expect(csp).toContain(part);
    }
    expect(csp).not.toContain("unsafe-eval");
    expect(contentSecurityPolicy({ nonce, formTargets: ["https://idp.example"] })).toContain(
      "form-action 'self' https://idp.example",
    );
  });
});
