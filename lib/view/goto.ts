/** What the header's "go to" box makes of its input: a serial, a fact id, or advice. */
import { isUuid } from "../query-params";

export type GoTo = { href: string } | { error: string };

export function resolveGoTo(input: string): GoTo {
  const text = input.trim().replace(/^#/, "");
  if (text === "") return { error: "Type a serial (e.g. 1042) or a fact id (a UUID)." };
  if (/^\d+$/.test(text)) {
    const serial = BigInt(text);
    if (serial < 1n || serial >= 2n ** 63n) return { error: "Serials start at 1 and fit in 63 bits." };
    return { href: `/facts/${serial}` };
  }
  if (isUuid(text)) return { href: `/facts/id/${text.toLowerCase()}` };
  return { error: `"${text.slice(0, 40)}" is neither a serial nor a fact id (UUID).` };
}
