// The key that seals the console's cookies (iron-session): FACTLINE_SESSION_SECRET, or one made
// once and kept in the data directory, readable by its owner only, so `npm start` needs no setting
// and a restart keeps the same key.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ConsoleConfigError, MIN_SESSION_SECRET_LENGTH, type ConsoleAuthSettings } from "./settings";

/** The file in FACTLINE_DATA_DIR. */
export const SESSION_SECRET_FILE = "console-session-secret";

/** The secret to seal cookies with; creates the file when neither the setting nor the file exists. */
export function sessionSecret(settings: Pick<ConsoleAuthSettings, "sessionSecret" | "dataDir">): string {
  if (settings.sessionSecret) return settings.sessionSecret;
  const file = path.resolve(settings.dataDir, SESSION_SECRET_FILE);
  const existing = readSecretFile(file);
  if (existing !== undefined) return existing;
  const fresh = randomBytes(32).toString("hex");
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // wx: two consoles starting at once on one data directory must end up with the same key.
    writeFileSync(file, fresh + "\n", { mode: 0o600, flag: "wx" });
    return fresh;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return readSecretFile(file)!;
    throw new ConsoleConfigError(
      `cannot write the session secret ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)}): ` +
        `make FACTLINE_DATA_DIR writable or set FACTLINE_SESSION_SECRET`,
    );
  }
}

function readSecretFile(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8").trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ConsoleConfigError(
      `cannot read the session secret ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)}): ` +
        `fix its permissions or set FACTLINE_SESSION_SECRET`,
    );
  }
  if (text.length < MIN_SESSION_SECRET_LENGTH) {
    throw new ConsoleConfigError(
      `the session secret ${file} is shorter than ${MIN_SESSION_SECRET_LENGTH} characters: delete it (a new one is made) or set FACTLINE_SESSION_SECRET`,
    );
  }
  // Whoever can read the key can forge a cookie: keep it the owner's, as ssh does with its keys.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return text;
}
