/** Pretty-printed JSON with the lines of some JSON pointers marked, e.g. where validation failed. */
import { pointerLines } from "@/lib/browser/schemas-json";
import { cx } from "@/lib/view/cx";

export function HighlightedJson({
  value,
  pointers = [],
  testId,
}: {
  value: unknown;
  pointers?: string[];
  testId?: string;
}) {
  const lines = JSON.stringify(value, null, 2).split("\n");
  const marked = new Map<number, string>();
  for (const p of pointers) {
    const range = pointerLines(value, p);
    if (!range) continue;
    for (let l = range.from; l <= range.to; l++) if (!marked.has(l)) marked.set(l, p);
  }
  return (
    <pre
      className="max-h-[32rem] overflow-auto rounded-md border border-line bg-surface-2 py-2 font-mono text-xs leading-5"
      data-testid={testId}
    >
      {lines.map((line, i) => (
        <div
          key={i}
          className={cx("px-3 whitespace-pre", marked.has(i) && "bg-danger-soft text-fg")}
          data-pointer={marked.get(i)}
          title={marked.has(i) ? `error at ${marked.get(i) || "/"}` : undefined}
        >
          <span className="mr-3 inline-block w-8 select-none text-right text-subtle">{i + 1}</span>
          {line}
        </div>
      ))}
    </pre>
  );
}
