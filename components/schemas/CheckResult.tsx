/**
 * What CheckCandidate found: schema problems at their pointers, the classified diff, the dry run, and
 * the upcasts consumers would lack once the candidate is registered.
 */
import Link from "@/components/ui/Link";
import { Notice } from "@/components/ui/Notice";
import { Panel } from "@/components/ui/Panel";
import type { CheckCandidateResponse } from "@/gen/factline/admin/v1/schemas_pb";
import { transformHref } from "@/lib/browser/schemas-links";
import { factHref } from "@/lib/view/links";
import { formatCount } from "@/lib/view/numbers";
import { BreakingSummary, ChangeList } from "./ChangeList";
import { HighlightedJson } from "./HighlightedJson";

export function CheckResult({ result, schema }: { result: CheckCandidateResponse; schema: string }) {
  const dry = result.dryRun;
  let parsed: unknown;
  try {
    parsed = JSON.parse(schema);
  } catch {
    parsed = undefined;
  }
  return (
    <div className="space-y-4" data-testid="check-result">
      {result.unchanged && (
        <Notice tone="info" title="Already registered">
          This exact schema is registered as this version; registering would change nothing.
        </Notice>
      )}
      {result.schemaValid ? (
        <Notice tone="ok" title="A valid JSON Schema" />
      ) : (
        <Panel title="The candidate is not a valid JSON Schema" id="problems">
          <ul className="mb-3 space-y-1 text-sm" data-testid="schema-problems">
            {result.schemaProblems.map((p, i) => (
              <li key={i}>
                <code className="rounded bg-danger-soft px-1 font-mono text-xs text-danger">{p.pointer || "#"}</code>{" "}
                {p.message}
              </li>
            ))}
          </ul>
          {parsed !== undefined && (
            <HighlightedJson value={parsed} pointers={result.schemaProblems.map((p) => p.pointer)} />
          )}
        </Panel>
      )}
      {/* The store neither diffs nor dry-runs a schema it cannot compile: nothing more to show. */}
      {result.schemaValid && (
        <Panel
          title={result.comparedToVersion ? `Changes from version ${result.comparedToVersion}` : "Changes"}
          id="changes"
          flush
          aside={
            result.comparedToVersion > 0 && (
              <BreakingSummary readers={result.breakingForReaders} writers={result.breakingForWriters} />
            )
          }
        >
          {result.comparedToVersion === 0 ? (
            <p className="p-4 text-sm text-muted">The first version of this type: nothing to compare with.</p>
          ) : (
            <ChangeList changes={result.changes} />
          )}
        </Panel>
      )}
      {result.schemaValid && dry && (
        <Panel title="Dry run over stored facts" id="dry-run">
          <p className="text-sm" data-testid="dry-run-summary">
            <strong className={dry.failed > 0n ? "text-danger" : "text-ok"}>
              {formatCount(dry.failed)} of {formatCount(dry.checked)}
            </strong>{" "}
            stored facts would fail this schema
            {dry.incomplete && " (the dry run stopped at its limit; more may fail)"}.
          </p>
          {dry.firstFailures.length > 0 && (
            <ul className="mt-2 space-y-2 text-sm" data-testid="dry-run-failures">
              {dry.firstFailures.map((f) => (
                <li key={String(f.serial)}>
                  <Link href={factHref(f.serial)} className="font-mono text-accent hover:underline">
                    fact {String(f.serial)}
                  </Link>
                  <ul className="ml-4">
                    {f.errors.map((e, i) => (
                      <li key={i}>
                        <code className="font-mono text-xs text-danger">{e.pointer || "/"}</code> {e.message}
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ul>
          )}
        </Panel>
      )}
      {result.schemaValid && result.missingTransformations.length > 0 && (
        <Notice tone="warn" title="Transformations missing once this version is registered">
          <ul className="space-y-1" data-testid="check-missing-transformations">
            {result.missingTransformations.map((m) => (
              <li key={`${m.key!.fromVersion}-${m.key!.toVersion}`}>
                <span className="font-mono">
                  v{m.key!.fromVersion} → v{m.key!.toVersion}
                </span>
                : {m.reason}{" "}
                <Link
                  className="text-accent hover:underline"
                  href={transformHref(m.key!.ns, m.key!.type, m.key!.fromVersion, m.key!.toVersion)}
                >
                  Register it
                </Link>
              </li>
            ))}
          </ul>
        </Notice>
      )}
    </div>
  );
}
