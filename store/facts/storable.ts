/**
 * PostgreSQL's JSON functions refuse \u0000 and unpaired UTF-16 surrogates, which JSON.parse
 * accepts. A fact holding them could be stored but never matched or read by path, so it is refused
 * up front, naming where. Only escapes can produce them, hence callers check only text with "\u".
 *
 * Returns what to fix, or undefined when every string and key of `value` can be stored. Walks the
 * value with a stack of its own, one frame per level: a payload nested a million levels deep must
 * not overflow the thread's stack, and a path is only spelled out for the string at fault.
 */
export function unstorableText(value: unknown, path: string): string | undefined {
  if (typeof value === "string") return textProblem(value, () => path);
  if (!isContainer(value)) return undefined;
  let top: Frame | undefined = frameOf(value, path, undefined);
  while (top) {
    const frame: Frame = top;
    if (frame.next >= frame.size) {
      top = frame.parent;
      continue;
    }
    const at = frame.next++;
    const key = frame.keys ? frame.keys[at] : at;
    if (frame.keys) {
      const problem = textProblem(
        key as string,
        () => `${pathOf(frame)} key ${JSON.stringify((key as string).slice(0, 40))}`,
      );
      if (problem) return problem;
    }
    const child = (frame.value as Record<string | number, unknown>)[key];
    if (typeof child === "string") {
      const problem = textProblem(child, () => pathOf(frame) + segment(frame, key));
      if (problem) return problem;
    } else if (isContainer(child)) {
      top = frameOf(child, segment(frame, key), frame);
    }
  }
  return undefined;
}

interface Frame {
  value: object;
  /** An object's keys; undefined for an array. */
  keys?: string[];
  size: number;
  next: number;
  /** This value's own part of the path (the whole path for the root). */
  segment: string;
  parent?: Frame;
}

function isContainer(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

function frameOf(value: object, segmentText: string, parent: Frame | undefined): Frame {
  const keys = Array.isArray(value) ? undefined : Object.keys(value);
  const size = keys ? keys.length : (value as unknown[]).length;
  return { value, keys, size, next: 0, segment: segmentText, parent };
}

function segment(frame: Frame, key: string | number): string {
  return frame.keys ? `.${key}` : `[${key}]`;
}

function pathOf(frame: Frame): string {
  const parts: string[] = [];
  for (let f: Frame | undefined = frame; f; f = f.parent) parts.push(f.segment);
  return parts.reverse().join("");
}

function textProblem(text: string, at: () => string): string | undefined {
  if (text.includes("\u0000")) return `${at()} contains \\u0000, which PostgreSQL cannot store; remove it`;
  if (!text.isWellFormed()) {
    return `${at()} contains an unpaired UTF-16 surrogate escape (\\ud800-\\udfff), which PostgreSQL cannot store; fix the text`;
  }
  return undefined;
}
