"use client";
/** `/schemas/<ns>/<type>`: the type's registered versions, its transformations, and the classified diff of any two. */
import Link from "@/components/ui/Link";
import { ButtonLink } from "@/components/ui/Button";
import { ErrorNotice } from "@/components/ui/ErrorNotice";
import { Notice } from "@/components/ui/Notice";
import { PageTitle } from "@/components/ui/PageTitle";
import { Panel } from "@/components/ui/Panel";
import { SkeletonRows } from "@/components/ui/Skeleton";
import { Timestamp } from "@/components/ui/Timestamp";
import { useAccess } from "@/lib/browser/access";
import { useSchemaList } from "@/lib/browser/schemas";
import { offerSchemaChanges } from "@/lib/view/access";
import { registerSchemaHref, schemaVersionHref } from "@/lib/browser/schemas-links";
import { factsHref } from "@/lib/view/links";
import { formatCount } from "@/lib/view/numbers";
import { TransformationEdges } from "@/components/transformations/TransformationEdges";
import { CompareVersions } from "./CompareVersions";

export function TypeSchemas({ ns, type }: { ns: string; type: string }) {
  const list = useSchemaList(ns, type);
  const access = useAccess([ns]);
  const manage = offerSchemaChanges(access.data, ns);
  const versions = (list.data?.schemas ?? []).filter((s) => s.key?.ns === ns && s.key?.type === type);
  const numbers = versions.map((v) => v.key!.version);
  const next = (numbers.length ? Math.max(...numbers) : 0) + 1;

  return (
    <div className="space-y-4">
      <PageTitle
        eyebrow={
          <Link href="/schemas" className="hover:underline">
            Schemas
          </Link>
        }
        title={`${ns} / ${type}`}
        actions={
          <>
            <ButtonLink href={factsHref({ namespaces: [ns], types: [type] })}>Browse facts</ButtonLink>
            {manage && (
              <ButtonLink href={registerSchemaHref(ns, type, next)} variant="primary">
                Register version {next}
              </ButtonLink>
            )}
          </>
        }
      />
      {list.error && (
        <ErrorNotice error={list.error} retry={() => void list.refetch()} what="The registry could not be read" />
      )}
      {list.isPending && <SkeletonRows rows={3} />}
      {list.data && versions.length === 0 && (
        <Notice title="No schema registered for this type">
          {manage ? "Register version 1 with the button above." : "Accounts with the schemas permission register them."}
        </Notice>
      )}
      {versions.length > 0 && (
        <Panel title="Versions" id="versions" flush>
          <table className="w-full text-sm">
            <thead className="border-b border-line bg-surface-2 text-left text-xs text-muted">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">
                  Version
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Description
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Registered
                </th>
                <th scope="col" className="px-4 py-2 text-right font-medium">
                  Facts
                </th>
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.key!.version} className="border-b border-line last:border-b-0 hover:bg-row-hover">
                  <th scope="row" className="px-4 py-2 text-left">
                    <Link
                      href={schemaVersionHref(ns, type, v.key!.version)}
                      className="font-mono text-accent hover:underline"
                    >
                      v{v.key!.version}
                    </Link>
                    {v.revision > 1 && <span className="ml-2 text-xs text-warn">revision {v.revision}</span>}
                  </th>
                  <td className="px-4 py-2 text-muted">{v.description}</td>
                  <td className="whitespace-nowrap px-4 py-2 text-muted">
                    <Timestamp ms={Number(v.registeredMs)} short /> {v.registeredBy && <>by {v.registeredBy}</>}
                  </td>
                  <td className="tabular px-4 py-2 text-right">{formatCount(v.factCount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Panel>
      )}
      {list.data && <TransformationEdges ns={ns} type={type} manage={manage} />}
      {numbers.length > 1 && <CompareVersions ns={ns} type={type} versions={numbers} />}
    </div>
  );
}
