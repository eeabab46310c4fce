// One call's authentication: the `authorization` header → the caller's Principal. Returns
// synchronously whenever it can (open mode, a cached credential), so the common call pays no
// extra promise hop.
import type { IncomingHttpHeaders } from "node:http2";
import { BasicAuthenticator, parseBasic } from "./basic";
import { AuthError } from "./errors";
import type { OidcVerifier } from "./oidc";
import { OPEN_PRINCIPAL, type Principal } from "./principal";

export interface Authenticator {
  /** The caller's principal, or a thrown/rejected AuthError (UNAUTHENTICATED, or UNAVAILABLE when busy). */
  authenticate(headers: IncomingHttpHeaders): Principal | Promise<Principal>;
}

/** No access file: everyone is the open principal, whatever credentials they send (as FactCast's disabled security). */
export const OPEN_AUTHENTICATOR: Authenticator = { authenticate: () => OPEN_PRINCIPAL };

export class AccessFileAuthenticator implements Authenticator {
  constructor(
    private readonly basic: BasicAuthenticator,
    private readonly oidc: OidcVerifier | undefined,
  ) {}

  authenticate(headers: IncomingHttpHeaders): Principal | Promise<Principal> {
    const header = headers.authorization;
    if (header === undefined || header === "") throw AuthError.missing(this.oidc !== undefined);
    const given = /^\S+/.exec(header)?.[0] ?? "";
    const scheme = given.toLowerCase();
    if (scheme === "basic") {
      const { user, password } = parseBasic(header);
      return this.basic.authenticate(user, password);
    }
    if (scheme === "bearer" && this.oidc) {
      const token = header.slice(7).trim();
      if (token === "") throw AuthError.malformed("Bearer");
      return this.oidc.authenticate(token);
    }
    throw AuthError.unsupported(given, this.oidc !== undefined);
  }
}
