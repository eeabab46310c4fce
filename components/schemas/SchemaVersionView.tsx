"use client";
/** `/schemas/<ns>/<type>/<version>`: the schema pretty-printed and as a field table, its examples and facts. */
import Link from "@/components/ui/Link";
import { ButtonLink } from "@/components/ui/Button";
import { useAccess } from "@/lib/browser/access";
import { offerSchemaChanges } from "@/lib/view/access";
import { ErrorNotice } from "@/components/ui/ErrorNotice";
import { PageTitle } from "@/components/ui/PageTitle";
import { Panel } from "@/components/ui/Panel";
import { SkeletonRows } from "@/components/ui/Skeleton";
import { Timestamp } from "@/components/ui/Timestamp";
import { useSchema } from "@/lib/browser/schemas";
import { prettyJson, schemaFields } from "@/lib/browser/schemas-json";
import { registerSchemaHref, schemaTypeHref, validateHref } from "@/lib/browser/schemas-links";
import { factsHref } from "@/lib/view/links";
import { plural } from "@/lib/view/numbers";
import { FieldTable } from "./FieldTable";

export function SchemaVersionView({ ns, type, version }: { ns: string; type: string; version: number }) {
  const got = useSchema({ ns, type, version });
  const access = useAccess([ns]);
  const s = got.data?.schema;
  let parsed: unknown;
  try {
    parsed = s ? JSON.parse(s.schemaJson) : undefined;
  } catch {
    parsed = undefined;
  }

  return (
    <div className="space-y-4">
      <PageTitle
        eyebrow={
          <>
            <Link href="/schemas" className="hover:underline">
              Schemas
            </Link>{" "}
            /{" "}
            <Link href={schemaTypeHref(ns, type)} className="hover:underline">
              {ns} / {type}
            </Link>
          </>
        }
        title={`${ns} / ${type} v${version}`}
        subtitle={
          s && (
            <>
              {s.description && <>{s.description} · </>}registered <Timestamp ms={Number(s.registeredMs)} />
              {s.registeredBy && <> by {s.registeredBy}</>}
              {s.revision > 1 && <> · revision {s.revision}</>} · md5{" "}
              <code className="font-mono text-xs">{s.hash}</code>
            </>
          )
        }
        actions={
          <>
            <ButtonLink href={validateHref(ns, type, version)}>Validate a payload</ButtonLink>
            {offerSchemaChanges(access.data, ns) && (
              <ButtonLink href={registerSchemaHref(ns, type, version + 1)} variant="primary">
                Register next version
              </ButtonLink>
            )}
          </>
        }
      />
      {got.error && (
        <ErrorNotice
          error={got.error}
          retry={() => void got.refetch()}
          what={`Schema ${ns}/${type} v${version} could not be read`}
        />
      )}
      {got.isPending && <SkeletonRows rows={8} />}
      {s && (
        <>
          <Panel title="Facts with this version" id="facts">
            <p className="text-sm" data-testid="fact-count">
              {plural(s.factCount, "fact")} stored with {ns} / {type} v{version}.{" "}
              <Link href={factsHref({ namespaces: [ns], types: [type] })} className="text-accent hover:underline">
                Browse facts of {ns} / {type}
              </Link>
            </p>
          </Panel>
          <Panel title="Fields" id="fields" flush>
            {parsed !== undefined ? (
              <FieldTable fields={schemaFields(parsed)} />
            ) : (
              <p className="p-4 text-sm text-danger">The schema is not valid JSON.</p>
            )}
          </Panel>
          <Panel title="Schema" id="schema" aside={<span>JSON Schema</span>}>
            <pre
              className="max-h-[32rem] overflow-auto rounded-md bg-surface-2 p-3 font-mono text-xs leading-5"
              data-testid="schema-json"
            >
              {prettyJson(s.schemaJson)}
            </pre>
          </Panel>
          <Panel title="Examples" id="examples" aside={<span>{s.examples.length}</span>}>
            {s.examples.length === 0 ? (
              <p className="text-sm text-muted">No example payloads were registered with this version.</p>
            ) : (
              <div className="space-y-2">
                {s.examples.map((e, i) => (
                  <pre key={i} className="overflow-auto rounded-md bg-surface-2 p-3 font-mono text-xs leading-5">
                    {prettyJson(e)}
                  </pre>
                ))}
              </div>
            )}
          </Panel>
          {(got.data?.history.length ?? 0) > 0 && (
            <Panel title="Replaced revisions" id="history">
              <ul className="space-y-1 text-sm">
                {got.data!.history.map((h) => (
                  <li key={h.revision}>
                    revision {h.revision}, <Timestamp ms={Number(h.registeredMs)} /> by {h.registeredBy || "?"}
                    {h.reason && <>: {h.reason}</>}
                  </li>
                ))}
              </ul>
            </Panel>
          )}
        </>
      )}
    </div>
  );
}
