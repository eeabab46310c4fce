"use client";
/**
 * The selected fact beside the list: its fields and payload preview, and its permalink — as the
 * version the list shows (`asVersion`), so a user watching version 2 opens the fact as version 2.
 */
import Link from "@/components/ui/Link";
import { FactFields } from "@/components/fact/FactFields";
import { JsonViewer } from "@/components/json/JsonViewer";
import { Panel } from "@/components/ui/Panel";
import type { FactRow } from "@/lib/view/facts";
import { factHref } from "@/lib/view/links";
import { formatCount } from "@/lib/view/numbers";

export function LiveDetail({ fact, asVersion, onClose }: { fact: FactRow; asVersion?: number; onClose(): void }) {
  return (
    <div className="flex flex-col gap-3" data-testid="live-detail">
      <Panel
        title={`Fact ${formatCount(fact.serial)}`}
        aside={
          <>
            <Link href={factHref(fact.serial, asVersion)} className="text-accent hover:underline">
              Open fact page
            </Link>
            <button type="button" onClick={onClose} className="text-muted hover:text-fg" aria-label="Close the detail">
              ✕
            </button>
          </>
        }
      >
        {fact.payloadTruncated && (
          <p className="mb-2 text-xs text-muted">The payload below is a preview; the fact page has all of it.</p>
        )}
        <JsonViewer text={fact.payloadJson} label="payload" title="Payload" />
      </Panel>
      <FactFields fact={fact} />
    </div>
  );
}
