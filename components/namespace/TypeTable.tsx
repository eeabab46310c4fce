"use client";
/** A namespace's types and, under each, its versions with counts and last activity. */
import Link from "@/components/ui/Link";
import { Timestamp } from "@/components/ui/Timestamp";
import type { NamespaceSummary } from "@/gen/factline/console/v1/console_pb";
import { factHref, factsHref } from "@/lib/view/links";
import { formatCount } from "@/lib/view/numbers";
import { FIRST_ROW, paintTimed } from "@/lib/view/element-timing";

export function TypeTable({ ns, counts }: { ns: NamespaceSummary; counts: boolean }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="type-table">
        <thead className="border-b border-line bg-surface-2 text-left text-xs text-muted">
          <tr>
            <th scope="col" className="px-4 py-2 font-medium">
              Type / version
            </th>
            {counts && (
              <th scope="col" className="px-4 py-2 text-right font-medium">
                Facts
              </th>
            )}
            {counts && (
              <th scope="col" className="px-4 py-2 font-medium">
                Last fact
              </th>
            )}
            {counts && (
              <th scope="col" className="px-4 py-2 text-right font-medium">
                Serials
              </th>
            )}
            <th scope="col" className="px-4 py-2">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        {ns.types.map((t) => (
          <tbody key={t.type} className="border-b border-line last:border-b-0">
            <tr className="hover:bg-row-hover">
              <th scope="row" className="px-4 py-2 text-left font-medium" {...paintTimed(FIRST_ROW.type)}>
                <span className="break-all">{t.type || <span className="text-subtle">(no type)</span>}</span>
              </th>
              {counts && <td className="tabular px-4 py-2 text-right font-medium">{formatCount(t.factCount)}</td>}
              {counts && (
                <td className="whitespace-nowrap px-4 py-2 text-muted">
                  <Timestamp ms={Number(t.lastPublishedMs)} short className="tabular" />
                </td>
              )}
              {counts && (
                <td className="px-4 py-2 text-right">
                  {t.lastSerial > 0n && (
                    <Link
                      prefetch={false}
                      href={factHref(t.lastSerial)}
                      className="tabular font-mono text-xs text-accent hover:underline"
                      title="The latest fact of this type"
                    >
                      latest {formatCount(t.lastSerial)}
                    </Link>
                  )}
                </td>
              )}
              <td className="px-4 py-2 text-right">
                <Link
                  href={factsHref({ namespaces: [ns.ns], types: t.type ? [t.type] : [] })}
                  className="text-xs text-accent hover:underline"
                >
                  Browse
                </Link>
              </td>
            </tr>
            {t.versions.map((v) => (
              <tr key={v.version} className="text-xs text-muted hover:bg-row-hover">
                <td className="py-1 pl-8 pr-4">version {v.version}</td>
                {counts && <td className="tabular px-4 py-1 text-right">{formatCount(v.factCount)}</td>}
                {counts && (
                  <td className="whitespace-nowrap px-4 py-1">
                    <Timestamp ms={Number(v.lastPublishedMs)} short className="tabular" />
                  </td>
                )}
                {counts && (
                  <td className="tabular px-4 py-1 text-right font-mono">
                    {v.firstSerial > 0n && (
                      <>
                        <Link
                          prefetch={false}
                          href={factHref(v.firstSerial)}
                          className="hover:text-accent hover:underline"
                          title="First fact of this version"
                        >
                          {formatCount(v.firstSerial)}
                        </Link>
                        {" – "}
                        <Link
                          prefetch={false}
                          href={factHref(v.lastSerial)}
                          className="hover:text-accent hover:underline"
                          title="Last fact of this version"
                        >
                          {formatCount(v.lastSerial)}
                        </Link>
                      </>
                    )}
                  </td>
                )}
                <td />
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}
