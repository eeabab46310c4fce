// One-line structured logs on stderr: the store's stdout carries only the readiness line that
// scripts and tests wait for.
type Fields = Record<string, unknown>;

const quiet = process.env.FACTLINE_LOG === "silent";

function write(level: string, message: string, fields?: Fields): void {
  if (quiet && level !== "error") return;
  const extra = fields
    ? " " +
      Object.entries(fields)
        .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v, bigintSafe)}`)
        .join(" ")
    : "";
  process.stderr.write(`${new Date().toISOString()} ${level} ${message}${extra}\n`);
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

export const log = {
  info: (message: string, fields?: Fields) => write("info", message, fields),
  warn: (message: string, fields?: Fields) => write("warn", message, fields),
  error: (message: string, fields?: Fields) => write("error", message, fields),
};
