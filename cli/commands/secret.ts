import { chmod, readFile, writeFile } from "node:fs/promises";
import { Command, Option } from "commander";
import { PropertiesEditor } from "properties-file/editor";
import { hashSecret, secretKey, secretLine, type HashAlgorithm } from "../../factcast/secrets";
import { CliError, ExitCode, usageError } from "../errors";
import type { Runtime } from "../runtime";
import { readPassword } from "../secret/password";

const EXAMPLES = `
The password is asked twice on a terminal (not echoed), or read from the first line of stdin.

Examples:
  $ factline secret hash alice >> secrets.properties
  $ factline secret hash alice --file secrets.properties          # adds or replaces alice's entry
  $ printf '%s\\n' "$PASSWORD" | factline secret hash ci --algorithm argon2 --file secrets.properties`;

/** `factline secret …`: secrets for the store's FACTLINE_SECRETS_FILE. */
export function secretCommand(runtime: Runtime): Command {
  const secret = new Command("secret")
    .summary("write hashed secrets for the store's secrets file")
    .description('Secrets for the store\'s FACTLINE_SECRETS_FILE (README "Security").');
  secret.addCommand(
    new Command("hash")
      .summary("hash a password into a secrets-file entry")
      .description(
        "Hashes a password into a `factcast.access.secrets.<account>={bcrypt}…` entry for FACTLINE_SECRETS_FILE, so the file holds no usable password.",
      )
      .argument("<account>", "the account id, as in the access file")
      .addOption(new Option("--algorithm <name>", "hash algorithm").choices(["bcrypt", "argon2"]).default("bcrypt"))
      .option(
        "--file <path>",
        "add the entry to this secrets file, replacing the account's old one (created if missing)",
      )
      .addHelpText("after", EXAMPLES)
      .action(async (account: string, options: { algorithm: HashAlgorithm; file?: string }) => {
        if (account.trim() === "" || account !== account.trim()) {
          throw usageError("the account must be a non-blank id without leading or trailing spaces");
        }
        const password = await readPassword(`password for ${account}: `, runtime.signal);
        let value: string;
        try {
          value = await hashSecret(password, options.algorithm);
        } catch (err) {
          if (err instanceof RangeError) throw usageError(err.message);
          throw err;
        }
        if (!options.file) {
          await runtime.stdout.line(secretLine(account, value));
          return;
        }
        await writeEntry(options.file, account, value);
        runtime.note(`wrote ${secretKey(account)} to ${options.file}`);
      }),
  );
  return secret;
}

/** Adds or replaces the account's entry, keeping every other line (comments too) as it was. */
async function writeEntry(file: string, account: string, value: string): Promise<void> {
  let text = "";
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new CliError(`cannot read ${file}: ${(err as Error).message}`, ExitCode.usage);
    }
  }
  const key = secretKey(account);
  const editor = new PropertiesEditor(text);
  let out: string;
  if (editor.getPropertyNodes(key).length > 0) {
    editor.update(key, { newValue: value });
    out = editor.format();
  } else {
    out = `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${secretLine(account, value)}`;
  }
  if (!out.endsWith("\n")) out += "\n";
  try {
    // Readable by its owner only: even hashed, secrets are not for everyone on the machine.
    await writeFile(file, out, { mode: 0o600 });
    await chmod(file, 0o600);
  } catch (err) {
    throw new CliError(`cannot write ${file}: ${(err as Error).message}`, ExitCode.usage);
  }
}
