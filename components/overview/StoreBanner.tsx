"use client";
/**
 * The store's state in one place on the overview: unreachable is a clear banner that says where
 * the console looked and why it failed; a plain FactCast server lists what the console cannot do.
 */
import { Notice } from "@/components/ui/Notice";
import { ErrorNotice } from "@/components/ui/ErrorNotice";
import type { GetStoreStatusResponse } from "@/gen/factline/console/v1/console_pb";

export function StoreBanner({
  status,
  error,
  refetch,
}: {
  status?: GetStoreStatusResponse;
  error: unknown;
  refetch: () => void;
}) {
  if (error)
    return <ErrorNotice error={error} retry={refetch} what="The console could not ask for the store's status" />;
  if (!status) return null;
  return (
    <>
      {!status.reachable && status.databaseUnavailable && (
        <Notice tone="danger" title={`The store at ${status.url} cannot reach its database`}>
          {status.error} The console keeps asking every few seconds; this page fills in once PostgreSQL is back.
        </Notice>
      )}
      {!status.reachable && !status.databaseUnavailable && (
        <Notice tone="danger" title={`The store at ${status.url} is not reachable`}>
          {status.error || "It did not answer."} The console keeps asking every few seconds; this page fills in once the
          store answers.
        </Notice>
      )}
      {status.reachable && status.unavailableFeatures.length > 0 && (
        <Notice tone="warn" title="This store lacks factline's admin services, so some features are unavailable">
          <ul className="mt-1 list-disc space-y-0.5 pl-5" data-testid="unavailable-features">
            {status.unavailableFeatures.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </Notice>
      )}
    </>
  );
}
