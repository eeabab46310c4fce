// The store's security at start: reads the access and secrets files, decides the mode, and refuses
// to start on anything it cannot enforce exactly (README "Security"):
//   access file                 every call authenticated (Basic, and Bearer with FACTLINE_OIDC_ISSUER)
//   none, loopback address      open mode: every caller may do everything
//   none, any other address     refused, unless FACTLINE_SECURITY=off (open, with a warning)
import { readFile } from "node:fs/promises";
import { isIP } from "node:net";
import { ConfigError, type SecurityConfig } from "../config";
import { log } from "../log";
import { parseAccessFile, AccessFileError, type AccessConfig } from "./access-file";
import { AccessFileAuthenticator, OPEN_AUTHENTICATOR, type Authenticator } from "./authenticate";
import { BasicAuthenticator } from "./basic";
import { OidcVerifier } from "./oidc";
import { parseSecretsFile, SecretsFileError, type StoredSecret } from "./secrets";

export interface Security {
  authenticator: Authenticator;
  /** For the start line: how callers are admitted. */
  summary: string;
}

export async function loadSecurity(config: SecurityConfig, host: string): Promise<Security> {
  if (!config.accessFile) return openMode(config, host);
  if (!config.enabled) {
    throw new ConfigError(
      "FACTLINE_SECURITY=off and FACTLINE_ACCESS_FILE are both set; unset one (off means every caller may do everything)",
    );
  }
  const access = await readAccess(config.accessFile);
  const secrets = config.secretsFile ? await readSecrets(config.secretsFile) : new Map<string, StoredSecret>();
  checkSecrets(access, secrets, config);

  let oidc: OidcVerifier | undefined;
  if (config.oidc) {
    const { audience } = config.oidc;
    if (!audience) {
      throw new ConfigError(
        "FACTLINE_OIDC_AUDIENCE is required with FACTLINE_OIDC_ISSUER: the audience tokens for this store carry (without it, tokens the issuer made for any other application would be accepted)",
      );
    }
    checkIssuer(config.oidc.issuer);
    oidc = new OidcVerifier({ ...config.oidc, audience }, access);
    await oidc.warmUp();
  }
  const ways = ["Basic", ...(oidc ? [`OIDC bearer tokens from ${config.oidc!.issuer}`] : [])].join(" and ");
  return {
    authenticator: new AccessFileAuthenticator(new BasicAuthenticator(access, secrets), oidc),
    summary: `access file ${config.accessFile}: ${access.accounts.size} accounts, ${access.roles.size} roles; ${ways}`,
  };
}

function openMode(config: SecurityConfig, host: string): Security {
  for (const [name, set] of [
    ["FACTLINE_SECRETS_FILE", config.secretsFile],
    ["FACTLINE_OIDC_ISSUER", config.oidc],
  ] as const) {
    if (set) throw new ConfigError(`${name} needs FACTLINE_ACCESS_FILE: without an access file the store runs open`);
  }
  if (!config.enabled) {
    log.warn(
      "FACTLINE_SECURITY=off: every caller that reaches the store may read, write and manage everything; give FACTLINE_ACCESS_FILE for production",
      { host },
    );
    return { authenticator: OPEN_AUTHENTICATOR, summary: "security off: every caller may do everything" };
  }
  if (!isLoopback(host)) {
    throw new ConfigError(
      `FACTLINE_STORE_HOST=${host} is not a loopback address, and without FACTLINE_ACCESS_FILE anyone reaching it could ` +
        `read and write every fact: give an access file (README "Security"), listen on 127.0.0.1, or set FACTLINE_SECURITY=off`,
    );
  }
  return {
    authenticator: OPEN_AUTHENTICATOR,
    summary: "open mode: no access file, every caller may do everything (loopback only)",
  };
}

async function readAccess(file: string): Promise<AccessConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new ConfigError(`FACTLINE_ACCESS_FILE ${file} cannot be read (${(err as Error).message})`);
  }
  try {
    const access = parseAccessFile(text, file);
    for (const warning of access.warnings) log.warn(warning);
    return access;
  } catch (err) {
    if (err instanceof AccessFileError) throw new ConfigError(err.message);
    throw err;
  }
}

async function readSecrets(file: string): Promise<ReadonlyMap<string, StoredSecret>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new ConfigError(`FACTLINE_SECRETS_FILE ${file} cannot be read (${(err as Error).message})`);
  }
  try {
    const { secrets, warnings } = parseSecretsFile(text, file);
    for (const warning of warnings) log.warn(warning);
    return secrets;
  } catch (err) {
    if (err instanceof SecretsFileError) throw new ConfigError(err.message);
    throw err;
  }
}

/**
 * FactCast's rules: a defined account without a secret stops the start; a secret for an account
 * the file does not define is a warning. With OIDC, an account may go without a secret: it then
 * signs in with bearer tokens only.
 */
function checkSecrets(access: AccessConfig, secrets: ReadonlyMap<string, StoredSecret>, config: SecurityConfig): void {
  const missing = [...access.accounts.keys()].filter((id) => !secrets.has(id));
  if (missing.length > 0 && !config.oidc) {
    const where = config.secretsFile ?? "FACTLINE_SECRETS_FILE (not set)";
    throw new ConfigError(
      `no secret for account${missing.length > 1 ? "s" : ""} ${missing.map((m) => `"${m}"`).join(", ")}: add ` +
        `factcast.access.secrets.<account>=<secret> to ${where} (factline secret hash writes a hashed entry)`,
    );
  }
  if (missing.length > 0) log.info("accounts without a secret sign in with OIDC bearer tokens only", { missing });
  for (const id of secrets.keys()) {
    if (!access.accounts.has(id)) {
      log.warn(`a secret is given for account "${id}", which the access file does not define; it is ignored`, {
        secretsFile: config.secretsFile,
      });
    }
  }
}

function checkIssuer(issuer: string): void {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new ConfigError(`FACTLINE_OIDC_ISSUER must be the issuer's URL (https://…), got "${issuer}"`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname))) {
    throw new ConfigError(`FACTLINE_OIDC_ISSUER must use https:// (http:// only on loopback), got "${issuer}"`);
  }
}

export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  if (bare === "localhost") return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  return bare === "::1";
}
