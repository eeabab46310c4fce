"use client";
/**
 * A type's transformations on its schema page (`/schemas/<ns>/<type>#transformations`): one row per
 * edge between two versions — registered up- and downcasts, the identity downcasts the store
 * assumes between adjacent versions (FactCast's synthetic transformations) — and the upcasts still
 * missing, each with a link to register it for users who may manage the namespace's schemas.
 */
import Link from "@/components/ui/Link";
import { ButtonLink } from "@/components/ui/Button";
import { ErrorNotice } from "@/components/ui/ErrorNotice";
import { Notice } from "@/components/ui/Notice";
import { Panel } from "@/components/ui/Panel";
import { SkeletonRows } from "@/components/ui/Skeleton";
import { Timestamp } from "@/components/ui/Timestamp";
import { transformHref } from "@/lib/browser/schemas-links";
import { useTransformations } from "@/lib/browser/transformations";
import { edgeKind } from "@/lib/view/versions";

export function TransformationEdges({ ns, type, manage }: { ns: string; type: string; manage: boolean }) {
  const list = useTransformations(ns, type);
  const edges = (list.data?.transformations ?? []).filter((t) => t.key?.ns === ns && t.key?.type === type);
  const missing = (list.data?.missing ?? []).filter((m) => m.key?.ns === ns && m.key?.type === type);
  return (
    <Panel
      title="Transformations"
      id="transformations"
      flush
      aside={
        manage && (
          <ButtonLink href={transformHref(ns, type)} size="sm">
            Register a transformation
          </ButtonLink>
        )
      }
    >
      {list.error && (
        <div className="p-4">
          <ErrorNotice
            error={list.error}
            retry={() => void list.refetch()}
            what="The transformations could not be read"
          />
        </div>
      )}
      {list.isPending && (
        <div className="p-4">
          <SkeletonRows rows={2} />
        </div>
      )}
      {list.data && edges.length === 0 && missing.length === 0 && (
        <p className="p-4 text-sm text-muted" data-testid="no-transformations">
          None: facts of this type are delivered in the version they were published in.
        </p>
      )}
      {edges.length > 0 && (
        <table className="w-full text-sm" data-testid="transformation-edges">
          <thead className="border-b border-line bg-surface-2 text-left text-xs text-muted">
            <tr>
              <th scope="col" className="px-4 py-2 font-medium">
                Edge
              </th>
              <th scope="col" className="px-4 py-2 font-medium">
                Kind
              </th>
              <th scope="col" className="px-4 py-2 font-medium">
                Registered
              </th>
              <th scope="col" className="px-4 py-2 font-medium">
                Description
              </th>
              <th scope="col" className="px-4 py-2 text-right font-medium">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {edges.map((t) => {
              const k = t.key!;
              return (
                <tr
                  key={`${k.fromVersion}-${k.toVersion}`}
                  className="border-b border-line last:border-b-0 hover:bg-row-hover"
                  data-testid={`edge-${k.fromVersion}-${k.toVersion}`}
                >
                  <th scope="row" className="px-4 py-2 text-left font-mono">
                    v{k.fromVersion} → v{k.toVersion}
                  </th>
                  <td className="px-4 py-2 text-muted">
                    {edgeKind(k.fromVersion, k.toVersion, t.hash !== "", t.synthetic)}
                    {t.revision > 1 && <span className="ml-2 text-xs text-warn">revision {t.revision}</span>}
                  </td>
                  <td className="whitespace-nowrap px-4 py-2 text-muted">
                    {t.synthetic ? (
                      "—"
                    ) : (
                      <>
                        <Timestamp ms={Number(t.registeredMs)} short /> {t.registeredBy && <>by {t.registeredBy}</>}
                      </>
                    )}
                  </td>
                  <td className="px-4 py-2 text-muted">{t.description}</td>
                  <td className="px-4 py-2 text-right text-xs">
                    {!t.synthetic && (
                      <Link
                        className="text-accent hover:underline"
                        href={transformHref(ns, type, k.fromVersion, k.toVersion)}
                      >
                        {manage ? "View / edit" : "View code"}
                      </Link>
                    )}
                    {t.synthetic && manage && (
                      <Link
                        className="text-accent hover:underline"
                        href={transformHref(ns, type, k.fromVersion, k.toVersion)}
                      >
                        Register code
                      </Link>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {missing.length > 0 && (
        <div className="p-4">
          <Notice tone="warn" title="Missing upcasts">
            <ul className="space-y-1" data-testid="missing-transformations">
              {missing.map((m) => (
                <li key={`${m.key!.fromVersion}-${m.key!.toVersion}`}>
                  <span className="font-mono">
                    v{m.key!.fromVersion} → v{m.key!.toVersion}
                  </span>
                  : {m.reason}
                  {manage && (
                    <>
                      {" "}
                      <Link
                        className="text-accent hover:underline"
                        href={transformHref(ns, type, m.key!.fromVersion, m.key!.toVersion)}
                      >
                        Register it
                      </Link>
                    </>
                  )}
                </li>
              ))}
            </ul>
          </Notice>
        </div>
      )}
    </Panel>
  );
}
