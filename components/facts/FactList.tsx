"use client";
/**
 * A short list of facts (a namespace's recent facts, an aggregate's history): a plain table,
 * because it holds at most a few hundred rows. The browser's long list is FactTable (virtualized).
 */
import Link from "@/components/ui/Link";
import { Timestamp } from "@/components/ui/Timestamp";
import type { FactRow } from "@/lib/view/facts";
import { factHref } from "@/lib/view/links";
import { formatCount } from "@/lib/view/numbers";
import { cx } from "@/lib/view/cx";

export function FactList(props: { rows: FactRow[]; current?: bigint; showNamespace?: boolean; testId?: string }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full table-fixed text-sm" data-testid={props.testId}>
        <colgroup>
          <col className="w-24" />
          <col className="w-44" />
          {props.showNamespace && <col className="w-32" />}
          <col className="w-48" />
          <col />
        </colgroup>
        <thead className="border-b border-line bg-surface-2 text-left text-xs text-muted">
          <tr>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Serial
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Published
            </th>
            {props.showNamespace && (
              <th scope="col" className="px-3 py-2 font-medium">
                Namespace
              </th>
            )}
            <th scope="col" className="px-3 py-2 font-medium">
              Type
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Payload
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {props.rows.map((f) => {
            const current = props.current === f.serial;
            return (
              <tr
                key={f.serial.toString()}
                className={cx(current ? "bg-row-selected" : "hover:bg-row-hover")}
                aria-current={current ? "true" : undefined}
              >
                <td className="px-3 py-1.5 text-right">
                  <Link
                    href={factHref(f.serial)}
                    prefetch={false}
                    className="tabular font-mono text-xs text-accent hover:underline"
                  >
                    {formatCount(f.serial)}
                  </Link>
                </td>
                <td className="truncate px-3 py-1.5 text-xs text-muted">
                  <Timestamp ms={f.publishedMs} short className="tabular" />
                </td>
                {props.showNamespace && <td className="truncate px-3 py-1.5 text-xs">{f.ns}</td>}
                <td className="truncate px-3 py-1.5 text-xs">
                  {f.type || <span className="text-subtle">(no type)</span>}
                  {f.version > 0 && <span className="ml-1 text-subtle">v{f.version}</span>}
                </td>
                <td
                  className="truncate px-3 py-1.5 font-mono text-xs text-muted"
                  title={f.payloadTruncated ? "Preview: open the fact for the whole payload" : undefined}
                >
                  {f.payloadJson}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
