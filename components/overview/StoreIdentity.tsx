"use client";
/** Which store this is: URL, implementation, protocol, latest serial, capabilities. */
import Link from "@/components/ui/Link";
import { Panel } from "@/components/ui/Panel";
import { Skeleton } from "@/components/ui/Skeleton";
import type { GetStoreStatusResponse } from "@/gen/factline/console/v1/console_pb";
import { formatCount } from "@/lib/view/numbers";

export function StoreIdentity({ status }: { status?: GetStoreStatusResponse }) {
  const rows: [string, React.ReactNode][] = status
    ? [
        [
          "URL",
          <span key="u" className="break-all font-mono text-xs">
            {status.url}
          </span>,
        ],
        [
          "Reachable",
          status.reachable ? (
            <span key="r" className="text-ok">
              yes
            </span>
          ) : (
            <span key="r" className="text-danger">
              no
            </span>
          ),
        ],
        ["Implementation", status.implementation || "—"],
        ["Protocol", status.protocolVersion || "—"],
        [
          "Latest serial",
          status.latestSerial > 0n ? (
            <Link
              key="s"
              prefetch={false}
              className="tabular font-mono text-accent hover:underline"
              href={`/facts/${status.latestSerial}`}
            >
              {formatCount(status.latestSerial)}
            </Link>
          ) : (
            "—"
          ),
        ],
        [
          "Admin services",
          !status.reachable ? "—" : status.adminAvailable ? "available" : "not available (plain FactCast)",
        ],
      ]
    : [];
  return (
    <Panel title="Store" id="store">
      {status ? (
        <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1.5 text-sm" data-testid="store-identity">
          {rows.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="text-muted">{k}</dt>
              <dd className="min-w-0 text-fg">{v}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <div className="space-y-2">
          {Array.from({ length: 6 }, (_, i) => (
            <Skeleton key={i} className="h-4 w-full" />
          ))}
        </div>
      )}
    </Panel>
  );
}
