"use client";
/** A fact's header as fields: ids to copy, names to browse, meta values to filter by. */
import Link from "@/components/ui/Link";
import type { ReactNode } from "react";
import { CopyButton } from "@/components/ui/CopyButton";
import { CopyIcon } from "@/components/ui/icons";
import { Panel } from "@/components/ui/Panel";
import { Age, useTimestampText } from "@/components/ui/Timestamp";
import { usePreferences } from "@/lib/browser/preferences";
import type { FactRow } from "@/lib/view/facts";
import { factsHref, namespaceHref } from "@/lib/view/links";
import { formatBytes, formatCount } from "@/lib/view/numbers";
import { FIRST_ROW, paintTimed } from "@/lib/view/element-timing";

const link = "text-accent hover:underline";

export function FactFields({ fact }: { fact: FactRow }) {
  const { timeZone } = usePreferences();
  const timestamp = useTimestampText();
  const headerBytes = new TextEncoder().encode(fact.headerJson).length;
  const rows: [string, ReactNode][] = [
    [
      "Serial",
      <span key="s" className="tabular font-mono">
        {formatCount(fact.serial)}
      </span>,
    ],
    [
      "Id",
      <span key="i" className="flex items-center gap-1">
        <span className="break-all font-mono text-[11px]" {...paintTimed(FIRST_ROW.fact)} data-testid="fact-id">
          {fact.id}
        </span>
        <CopyButton
          text={fact.id}
          size="sm"
          variant="ghost"
          label={<CopyIcon />}
          ariaLabel="Copy the fact id"
          title="Copy the fact id"
          className="px-1.5"
        />
      </span>,
    ],
    [
      "Namespace",
      <Link key="n" className={link} href={namespaceHref(fact.ns)}>
        {fact.ns}
      </Link>,
    ],
    [
      "Type",
      fact.type ? (
        <Link
          key="t"
          className={link}
          href={factsHref({ namespaces: [fact.ns], types: [fact.type] })}
          title="All facts of this type"
        >
          {fact.type}
        </Link>
      ) : (
        <span key="t" className="text-subtle">
          (none)
        </span>
      ),
    ],
    [
      "Version",
      fact.version || (
        <span key="v" className="text-subtle">
          (none)
        </span>
      ),
    ],
    [
      "Published",
      <span key="p" data-testid="fact-published">
        <span className="tabular">{timestamp(fact.publishedMs, timeZone)}</span>
        <span className="block text-xs text-subtle">
          {timestamp(fact.publishedMs, timeZone === "utc" ? "local" : "utc")} · <Age ms={fact.publishedMs} />
        </span>
      </span>,
    ],
    [
      "Size",
      <span
        key="z"
        title={`${formatCount(fact.payloadBytes)} bytes of payload, ${formatCount(headerBytes)} bytes of header (UTF-8)`}
        data-testid="fact-size"
      >
        {formatBytes(fact.payloadBytes)} payload{" "}
        <span className="text-subtle">({formatCount(fact.payloadBytes)} bytes)</span>
        <span className="block text-xs text-subtle">{formatCount(headerBytes)} bytes header</span>
      </span>,
    ],
    [
      "Aggregates",
      fact.aggIds.length === 0 ? (
        <span key="a" className="text-subtle">
          (none)
        </span>
      ) : (
        <ul key="a" className="space-y-0.5">
          {fact.aggIds.map((id) => (
            <li key={id}>
              <Link
                className={`${link} break-all font-mono text-[11px]`}
                href={factsHref({ aggIds: [id] })}
                title="All facts of this aggregate"
              >
                {id}
              </Link>
            </li>
          ))}
        </ul>
      ),
    ],
    [
      "Meta",
      fact.meta.length === 0 ? (
        <span key="m" className="text-subtle">
          (none)
        </span>
      ) : (
        <ul key="m" className="space-y-0.5">
          {fact.meta.flatMap(([k, values]) =>
            values.map((v) => (
              <li key={`${k}=${v}`} className="break-all font-mono text-xs">
                <Link className={link} href={factsHref({ meta: [[k, v]] })} title={`All facts with meta ${k}=${v}`}>
                  {k}={v}
                </Link>
              </li>
            )),
          )}
        </ul>
      ),
    ],
  ];
  return (
    <Panel title="Header" id="fields">
      <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-4 gap-y-2 text-sm" data-testid="fact-fields">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-muted">{k}</dt>
            <dd className="min-w-0 text-fg">{v}</dd>
          </div>
        ))}
      </dl>
    </Panel>
  );
}
