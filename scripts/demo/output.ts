// The demo's terminal output: plain lines on stdout, counts with thousands separators.

export const say = (line: string) => process.stdout.write(line + "\n");

/** 12,345: a count people read at a glance (the tests match this form). */
export function formatCount(n: number | bigint): string {
  return n.toLocaleString("en-US");
}
