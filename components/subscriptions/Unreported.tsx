/** What /subscriptions, /instances and a subscription's page say against a store that reports neither. */
import { Notice } from "@/components/ui/Notice";

export function Unreported({ what, reason }: { what: "subscriptions" | "instances"; reason: string }) {
  return (
    <Notice tone="info" title={<span data-testid="operations-unreported">This server does not report its {what}</span>}>
      {reason} factline stores record every instance and subscription in their database; a FactCast server keeps them to
      itself. Everything else in the console works as usual.
    </Notice>
  );
}
