"use client";
/** `/schemas`: namespaces → types → versions, searchable, and the types that have facts but no schema. */
import Link from "@/components/ui/Link";
import { useMemo, useState } from "react";
import { ButtonLink } from "@/components/ui/Button";
import { ErrorNotice } from "@/components/ui/ErrorNotice";
import { Notice } from "@/components/ui/Notice";
import { PageTitle } from "@/components/ui/PageTitle";
import { Panel } from "@/components/ui/Panel";
import { SkeletonRows } from "@/components/ui/Skeleton";
import type { SchemaVersion } from "@/gen/factline/admin/v1/schemas_pb";
import { useAccess } from "@/lib/browser/access";
import { useSchemaList } from "@/lib/browser/schemas";
import { offerSchemaChanges } from "@/lib/view/access";
import { registerSchemaHref, schemaTypeHref, schemaVersionHref, validateHref } from "@/lib/browser/schemas-links";
import { factsHref } from "@/lib/view/links";
import { formatCount } from "@/lib/view/numbers";

type Grouped = Map<string, Map<string, SchemaVersion[]>>;

function group(schemas: SchemaVersion[], search: string): Grouped {
  const q = search.trim().toLowerCase();
  const out: Grouped = new Map();
  for (const s of schemas) {
    const { ns, type } = s.key ?? { ns: "", type: "" };
    if (q && !`${ns}/${type}`.toLowerCase().includes(q) && !s.description.toLowerCase().includes(q)) continue;
    const types = out.get(ns) ?? new Map<string, SchemaVersion[]>();
    types.set(type, [...(types.get(type) ?? []), s]);
    out.set(ns, types);
  }
  return out;
}

export function SchemaIndex() {
  const list = useSchemaList();
  const access = useAccess();
  const [search, setSearch] = useState("");
  const grouped = useMemo(() => group(list.data?.schemas ?? [], search), [list.data, search]);
  const q = search.trim().toLowerCase();
  const unschematized = (list.data?.unschematized ?? []).filter(
    (k) => !q || `${k.ns}/${k.type}`.toLowerCase().includes(q),
  );

  return (
    <div className="space-y-4">
      <PageTitle
        eyebrow="Registry"
        title="Schemas"
        subtitle={
          list.data &&
          `${list.data.schemas.length} registered versions; facts of a registered version must validate on publish`
        }
        actions={
          <>
            <ButtonLink href={validateHref()}>Validation playground</ButtonLink>
            {offerSchemaChanges(access.data) && (
              <ButtonLink href={registerSchemaHref()} variant="primary">
                Register a schema
              </ButtonLink>
            )}
          </>
        }
      />
      <input
        type="search"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        placeholder="Search namespace, type or description"
        aria-label="Search schemas"
        className="h-8 w-full max-w-md rounded-md border border-line bg-surface px-2 text-sm text-fg placeholder:text-subtle"
      />
      {list.error && (
        <ErrorNotice error={list.error} retry={() => void list.refetch()} what="The registry could not be read" />
      )}
      {list.isPending && <SkeletonRows rows={6} />}
      {list.data && grouped.size === 0 && (
        <Notice title={q ? `No schema matches "${search}"` : "No schema registered yet"}>
          {offerSchemaChanges(access.data) ? (
            <>
              Register one with the button above, or with <code>npx factline schema register</code>.
            </>
          ) : (
            "Schemas are registered by accounts with the schemas permission."
          )}
        </Notice>
      )}
      {[...grouped].map(([ns, types]) => (
        <Panel key={ns} title={ns} id={`ns-${ns}`} flush>
          <table className="w-full text-sm" data-testid="schema-table">
            <thead className="border-b border-line bg-surface-2 text-left text-xs text-muted">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">
                  Type
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Versions
                </th>
                <th scope="col" className="px-4 py-2 text-right font-medium">
                  Facts
                </th>
              </tr>
            </thead>
            <tbody>
              {[...types].map(([type, versions]) => (
                <tr key={type} className="border-b border-line last:border-b-0 hover:bg-row-hover">
                  <th scope="row" className="px-4 py-2 text-left font-medium">
                    <Link href={schemaTypeHref(ns, type)} className="text-accent hover:underline">
                      {type}
                    </Link>
                  </th>
                  <td className="px-4 py-2">
                    <span className="flex flex-wrap gap-1">
                      {versions.map((v) => (
                        <Link
                          key={v.key!.version}
                          href={schemaVersionHref(ns, type, v.key!.version)}
                          title={v.description || undefined}
                          className="rounded border border-line px-1.5 py-0.5 font-mono text-xs text-accent hover:bg-surface-2"
                        >
                          v{v.key!.version}
                        </Link>
                      ))}
                    </span>
                  </td>
                  <td className="tabular px-4 py-2 text-right">
                    {formatCount(versions.reduce((n, v) => n + v.factCount, 0n))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Panel>
      ))}
      {unschematized.length > 0 && (
        <Panel
          title="Types with facts but no schema"
          id="unschematized"
          flush
          aside={<span>{unschematized.length} types</span>}
        >
          <ul className="divide-y divide-line text-sm" data-testid="unschematized">
            {unschematized.map((k) => (
              <li key={`${k.ns}/${k.type}`} className="flex flex-wrap items-center justify-between gap-2 px-4 py-2">
                <Link
                  href={factsHref({ namespaces: [k.ns], types: [k.type] })}
                  className="break-all text-accent hover:underline"
                >
                  {k.ns} / {k.type}
                </Link>
                {offerSchemaChanges(access.data, k.ns) && (
                  <ButtonLink size="sm" href={registerSchemaHref(k.ns, k.type, 1)}>
                    Register a schema
                  </ButtonLink>
                )}
              </li>
            ))}
          </ul>
        </Panel>
      )}
    </div>
  );
}
