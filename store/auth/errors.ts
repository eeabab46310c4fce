// Why a call could not be authenticated, as the status the caller sees. UNAUTHENTICATED is final
// for FactCast's client (never retried), which is what a wrong password needs; only "busy" may be
// retried. Messages never say whether an account exists.
import { Code, ConnectError } from "@connectrpc/connect";

// Keeps ConnectError's name: ConnectError.from() recognises its own errors by name.
export class AuthError extends ConnectError {
  static missing(bearer: boolean): AuthError {
    return new AuthError(
      `authentication required: send HTTP Basic credentials of an account in the store's access file${bearer ? " or an OIDC bearer token" : ""}`,
      Code.Unauthenticated,
    );
  }

  static badCredentials(): AuthError {
    return new AuthError("wrong user or password", Code.Unauthenticated);
  }

  static malformed(scheme: string): AuthError {
    return new AuthError(
      `the authorization header is not valid ${scheme}: use "${scheme} ${scheme === "Basic" ? "base64(user:password)" : "<access token>"}"`,
      Code.Unauthenticated,
    );
  }

  static badToken(reason: string): AuthError {
    return new AuthError(`the bearer token was refused: ${reason}`, Code.Unauthenticated);
  }

  static unsupported(scheme: string, bearer: boolean): AuthError {
    return new AuthError(
      `authorization scheme "${scheme}" is not accepted; use Basic${bearer ? " or Bearer" : ""}`,
      Code.Unauthenticated,
    );
  }

  static busy(): AuthError {
    return new AuthError("too many sign-ins are being checked at once; retry shortly", Code.Unavailable);
  }

  static identityProviderDown(): AuthError {
    return new AuthError(
      "the store cannot reach its OIDC identity provider to check the token; retry shortly",
      Code.Unavailable,
    );
  }
}
