// The sign-in settings checked before the console listens (scripts/launch/console.ts runs this for
// `npm start`, `npm run console` and the tests), so a console that would be open to the network, or
// could not sign anyone in, never starts. The server checks again per request (mode resolution in
// lib/backend/auth/runtime.ts); this is the early, loud half.
import { createStoreClient } from "../../../factcast/client";
import { probeStoreAuth } from "./mode";
import { sessionSecret } from "./session-secret";
import {
  checkOpenConsoleHost,
  ConsoleConfigError,
  isLoopbackHost,
  readAuthSettings,
  type ConsoleAuthMode,
  type Env,
} from "./settings";

export interface StartupCheck {
  /** What the console will do: a mode, or "auto" when the store could not be asked yet. */
  mode: ConsoleAuthMode | "auto";
  /** Said once at start, e.g. settings that are ignored in this mode. */
  warnings: string[];
}

/**
 * What can be checked without the store: the settings' syntax, and an explicit `none` on a
 * non-loopback HOST. The launchers run it before building or starting anything.
 */
export function checkConsoleSettings(env: Env): void {
  const settings = readAuthSettings(env);
  if (settings.mode === "none") checkOpenConsoleHost("none", settings.host);
}

/** Throws ConsoleConfigError with what to fix; `env` is the console's own environment. */
export async function checkConsoleStartup(env: Env, storeUrl: string): Promise<StartupCheck> {
  const settings = readAuthSettings(env);
  const warnings: string[] = [];
  let mode = settings.mode;
  if (mode === "auto") {
    const ca = storeUrl.startsWith("https:") ? env.FACTLINE_TLS_CA || undefined : undefined;
    const anonymous = createStoreClient({ url: storeUrl, clientId: "factline-console", ca });
    try {
      mode = await probeStoreAuth(anonymous);
    } catch {
      // The store is not up yet (`npm run console` first): the console decides on its first
      // request, and signs nobody in until the store has said whether it checks credentials.
      if (!isLoopbackHost(settings.host)) {
        warnings.push(
          `the store at ${storeUrl} did not answer, so whether the console needs sign-in is decided once it does ` +
            `(set FACTLINE_CONSOLE_AUTH to decide now)`,
        );
      }
    } finally {
      anonymous.close();
    }
  }
  if (mode === "none") {
    try {
      checkOpenConsoleHost(mode, settings.host);
    } catch (err) {
      if (settings.mode === "none") throw err;
      throw new ConsoleConfigError(
        `the store at ${storeUrl} runs without an access file, so the console would need no sign-in (FACTLINE_CONSOLE_AUTH defaults to none), ` +
          `and that is allowed only on a loopback address, but HOST=${settings.host}. Give the store an access file ` +
          `(FACTLINE_ACCESS_FILE) or listen on HOST=127.0.0.1`,
      );
    }
  } else if (mode === "store" || mode === "oidc") {
    sessionSecret(settings); // made or read now, so a data directory it cannot write stops the start
    if (env.FACTLINE_STORE_USER) {
      warnings.push(
        `FACTLINE_STORE_USER is ignored with sign-in (${mode}): each user's own identity goes to the store`,
      );
    }
  }
  const wildcard = ["0.0.0.0", "::", "[::]"].includes(settings.host);
  if (wildcard && !settings.publicOrigin) {
    warnings.push(
      `HOST=${settings.host} without FACTLINE_CONSOLE_URL: the console cannot tell its own address from another ` +
        `name pointing at it (DNS rebinding); set FACTLINE_CONSOLE_URL to the address browsers use`,
    );
  }
  if (mode === "oidc" && !settings.publicOrigin && wildcard) {
    throw new ConsoleConfigError(
      `FACTLINE_CONSOLE_AUTH=oidc on HOST=${settings.host} needs FACTLINE_CONSOLE_URL: the identity provider sends ` +
        `users back to <FACTLINE_CONSOLE_URL>/login/callback`,
    );
  }
  return { mode, warnings };
}
