// The store's log: one JSON object per line on stderr (pino), or a readable line per entry when
// stderr is a terminal (README "Operating"). stdout carries only the start line that scripts and
// tests wait for. Every module logs through `log.info(message, fields)`; a gRPC call logs through
// its own child (store/grpc/call-log.ts), whose lines carry the request id, client id and account.
import pino, { type Logger } from "pino";
import pretty from "pino-pretty";
import { READABLE_OPTIONS } from "./log-readable";

type Fields = Record<string, unknown>;

/** The levels FACTLINE_LOG accepts; `silent` keeps only errors (what it meant before JSON logs). */
export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ["json", "pretty"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** What every part of the store logs through. */
export interface Log {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  /** A log whose lines all carry `bindings` (e.g. a call's request id). */
  child(bindings: Fields): Log;
  /** Whether lines of `level` are written: skip building costly fields otherwise. */
  enabled(level: "debug" | "info" | "warn" | "error"): boolean;
}

// Field names whose values are never written, whichever module passes them: a credential in a log
// is a credential leaked to everyone who can read the log. Callers must not pass them; this is the
// second line of defence (tests/operating/logs.int.spec.ts greps a run's log for secrets).
const REDACTED = ["authorization", "password", "secret", "token", "cookie", "payload"];

/** The level FACTLINE_LOG names, or undefined when it names none (store/config.ts refuses that). */
export function parseLogLevel(raw: string | undefined): LogLevel | undefined {
  const value = (raw ?? "").trim().toLowerCase() || "info";
  return (LOG_LEVELS as readonly string[]).includes(value) ? (value as LogLevel) : undefined;
}

export function parseLogFormat(raw: string | undefined, stderrIsTty: boolean): LogFormat | undefined {
  const value = (raw ?? "").trim().toLowerCase();
  if (value === "") return stderrIsTty ? "pretty" : "json";
  return (LOG_FORMATS as readonly string[]).includes(value) ? (value as LogFormat) : undefined;
}

function createLogger(level: LogLevel, format: LogFormat): Logger {
  const options: pino.LoggerOptions = {
    level: level === "silent" ? "error" : level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    // Level names, not numbers: `grep '"level":"warn"'` works, and so do log shippers' defaults.
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED.flatMap((k) => [k, `*.${k}`]), censor: "[redacted]" },
  };
  // Synchronous writes: the store logs little (start, outages, refusals), and a line written just
  // before process.exit (a configuration error) must not be lost.
  if (format === "pretty") {
    return pino(options, pretty({ ...READABLE_OPTIONS, destination: 2, sync: true, colorize: true }));
  }
  return pino(options, pino.destination({ dest: 2, sync: true }));
}

function wrap(logger: Logger): Log {
  return {
    debug: (message, fields) => (fields ? logger.debug(fields, message) : logger.debug(message)),
    info: (message, fields) => (fields ? logger.info(fields, message) : logger.info(message)),
    warn: (message, fields) => (fields ? logger.warn(fields, message) : logger.warn(message)),
    error: (message, fields) => (fields ? logger.error(fields, message) : logger.error(message)),
    child: (bindings) => wrap(logger.child(bindings)),
    enabled: (level) => logger.isLevelEnabled(level),
  };
}

const root = createLogger(
  parseLogLevel(process.env.FACTLINE_LOG) ?? "info",
  parseLogFormat(process.env.FACTLINE_LOG_FORMAT, process.stderr.isTTY === true) ?? "json",
);

/** The store's log (level FACTLINE_LOG, format FACTLINE_LOG_FORMAT; both checked by store/config.ts). */
export const log: Log = wrap(root);
