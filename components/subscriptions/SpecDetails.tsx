/** A subscription's FactSpecs in full: each in words, then every field it sets. */
import type { SubscriptionSpec } from "@/gen/factline/admin/v1/operations_pb";
import { describeSpec } from "@/lib/view/subscriptions";

export function SpecDetails({ specs }: { specs: SubscriptionSpec[] }) {
  if (specs.length === 0) return <p className="text-sm text-muted">No specs: it reads nothing.</p>;
  return (
    <ol className="space-y-3" data-testid="subscription-specs">
      {specs.map((spec, i) => (
        <li key={i} className="rounded-md border border-line bg-surface-2 p-3">
          <p className="text-sm font-medium break-words text-fg" data-testid="spec-words">
            {specs.length > 1 && <span className="mr-1 text-subtle">{i + 1}.</span>}
            {describeSpec(spec, { full: true })}
          </p>
          <dl className="mt-2 grid grid-cols-[9rem_minmax(0,1fr)] gap-x-3 gap-y-1 text-xs">
            <Field label="Namespace">{spec.ns === "*" ? "* (every namespace)" : spec.ns}</Field>
            <Field label="Type">{spec.type || "any"}</Field>
            <Field label="Version">
              {spec.version > 0 ? `${spec.version} (delivered as this version)` : "as published"}
            </Field>
            {spec.aggIds.length > 0 && (
              <Field label={spec.aggIds.length === 1 ? "Aggregate" : "Aggregates (all)"}>
                {spec.aggIds.map((id) => (
                  <span key={id} className="block font-mono break-all">
                    {id}
                  </span>
                ))}
              </Field>
            )}
            <Entries label="Meta equals" entries={Object.entries(spec.meta).map(([k, v]) => `${k} = ${v}`)} />
            <Entries
              label="Meta keys"
              entries={Object.entries(spec.metaKeyExists).map(
                ([k, present]) => `${k} ${present ? "present" : "absent"}`,
              )}
            />
            <Entries
              label="Payload ids"
              entries={Object.entries(spec.aggIdProperties).map(([path, id]) => `${path} = ${id}`)}
            />
            {spec.filterScript && (
              <Field label="Filter script">
                <pre className="max-h-64 overflow-auto rounded border border-line bg-surface p-2 font-mono text-[11px] whitespace-pre-wrap">
                  {spec.filterScript}
                </pre>
              </Field>
            )}
          </dl>
        </li>
      ))}
    </ol>
  );
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <>
      <dt className="text-muted">{label}</dt>
      <dd className="min-w-0 break-words text-fg">{children}</dd>
    </>
  );
}

function Entries({ label, entries }: { label: string; entries: string[] }) {
  if (entries.length === 0) return null;
  return (
    <Field label={label}>
      {entries.sort().map((e) => (
        <span key={e} className="block font-mono break-all">
          {e}
        </span>
      ))}
    </Field>
  );
}
