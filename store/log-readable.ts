// The store's JSON log lines (store/log.ts) in the readable one-line form a terminal gets, for
// whoever shows a store's output to a person: the launcher's failure messages and `npm start`.
import { prettyFactory } from "pino-pretty";

/** How a log entry reads in a terminal: time, level, message, then the fields as JSON. */
export const READABLE_OPTIONS = {
  singleLine: true,
  translateTime: "SYS:HH:MM:ss.l",
  ignore: "pid,hostname",
};

const prettify = prettyFactory({ ...READABLE_OPTIONS, colorize: false });

/** `text` with every line that is a log entry rendered readable; other lines (the start line) kept. */
export function readableLog(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      if (!line.startsWith('{"level":')) return line;
      try {
        return prettify(JSON.parse(line) as Record<string, unknown>).replace(/\n$/, "");
      } catch {
        return line;
      }
    })
    .join("\n");
}
