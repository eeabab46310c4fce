/**
 * What CheckTransformation found for a candidate: whether it compiles (the error with its line and
 * column, in place), and what it made of the source version's registered examples and a bounded
 * sample of its newest stored facts, each result validated against the target version's schema.
 */
import Link from "@/components/ui/Link";
import { Notice } from "@/components/ui/Notice";
import { Panel } from "@/components/ui/Panel";
import type { CheckTransformationResponse } from "@/gen/factline/admin/v1/transformations_pb";
import { factHref } from "@/lib/view/links";
import { formatCount, plural } from "@/lib/view/numbers";

export function TransformCheckResult({ result, to }: { result: CheckTransformationResponse; to: number }) {
  if (!result.compiles) {
    return (
      <Notice tone="danger" title="The code does not compile: nothing was run or registered">
        <p className="font-mono text-xs text-fg whitespace-pre-wrap" data-testid="compile-error">
          {result.compileError}
        </p>
      </Notice>
    );
  }
  const facts = Number(result.checked - result.examplesChecked);
  return (
    <div className="space-y-3" data-testid="transform-check">
      {result.unchanged && (
        <Notice tone="info" title="Already registered">
          This exact code is registered for this pair; registering would change nothing.
        </Notice>
      )}
      {!result.targetSchemaRegistered && (
        <Notice tone="warn" title={`Version ${to} has no registered schema`}>
          The results were not validated against a schema: only whether the code runs was checked.
        </Notice>
      )}
      <Panel title="Check" id="transform-check" flush>
        <p
          className={`px-4 py-3 text-sm ${result.failed > 0n ? "text-danger" : "text-ok"}`}
          data-testid="transform-check-summary"
        >
          {result.checked === 0n
            ? "Nothing to check: the source version has no registered examples and no stored facts."
            : `${formatCount(result.passed)} of ${formatCount(result.checked)} passed` +
              ` (${plural(result.examplesChecked, "registered example")}, ${plural(facts, "stored fact")}, newest first)` +
              (result.failed > 0n ? `, ${formatCount(result.failed)} failed` : "")}
          {result.sampleIncomplete && (
            <span className="block text-xs text-muted">
              More stored facts of the source version exist than the sample took.
            </span>
          )}
          {result.stopped && (
            <span className="block text-xs text-warn" data-testid="transform-check-stopped">
              Stopped early: {result.stopped}
            </span>
          )}
        </p>
        {result.firstFailures.length > 0 && (
          <ul className="border-t border-line text-sm" data-testid="transform-check-failures">
            {result.firstFailures.map((f, i) => (
              <li key={i} className="border-b border-line px-4 py-2 last:border-b-0">
                <span className="font-medium">
                  {f.serial > 0n ? (
                    <Link className="text-accent hover:underline" href={factHref(f.serial)}>
                      {f.source}
                    </Link>
                  ) : (
                    f.source
                  )}
                </span>
                <span className="ml-2 font-mono text-xs text-danger">{f.message}</span>
                {f.errors.length > 0 && (
                  <ul className="mt-1 space-y-0.5 text-xs text-muted">
                    {f.errors.map((e, j) => (
                      <li key={j}>
                        <code className="rounded bg-danger-soft px-1 font-mono text-danger">{e.pointer || "#"}</code>{" "}
                        {e.message}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ul>
        )}
      </Panel>
    </div>
  );
}
