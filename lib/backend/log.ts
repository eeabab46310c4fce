// The console backend's log: one line per event on stderr, in the store's format, so an operator
// reads both the same way. Only errors we cause are logged; a user's mistakes go back to them.
type Fields = Record<string, unknown>;

function write(level: string, message: string, fields?: Fields): void {
  const extra = fields
    ? " " +
      Object.entries(fields)
        .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v, bigintSafe)}`)
        .join(" ")
    : "";
  process.stderr.write(`${new Date().toISOString()} ${level} console: ${message}${extra}\n`);
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

export const log = {
  warn: (message: string, fields?: Fields) => write("warn", message, fields),
  error: (message: string, fields?: Fields) => write("error", message, fields),
};
