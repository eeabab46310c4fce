"use client";
/** The overview's card: how many subscriptions run, and how far behind the furthest one is. */
import Link from "@/components/ui/Link";
import { Skeleton } from "@/components/ui/Skeleton";
import { useWorstLag } from "@/lib/browser/operations";
import { formatCount } from "@/lib/view/numbers";
import { formatDuration } from "@/lib/view/subscriptions";

export function SubscriptionsStat({ down }: { down: boolean }) {
  const query = useWorstLag();
  const data = query.data;
  const answer = data?.reported ? data.answer : undefined;
  const worst = answer?.subscriptions[0];
  return (
    <div className="rounded-lg border border-line bg-surface px-4 py-3" data-testid="subscriptions-stat">
      <dt className="text-xs font-medium text-muted">
        <Link href="/subscriptions" className="hover:text-fg hover:underline">
          Subscriptions
        </Link>
      </dt>
      <dd className="mt-1">
        {down || (query.isError && !data) ? (
          <span className="tabular text-xl font-semibold text-fg">—</span>
        ) : !data ? (
          <Skeleton className="mt-1 h-6 w-20" />
        ) : !answer ? (
          <>
            <span className="tabular text-xl font-semibold text-fg">—</span>
            <span className="block text-xs text-muted">not reported by this server</span>
          </>
        ) : (
          <>
            <Link
              href="/subscriptions"
              className="tabular text-xl font-semibold text-fg hover:underline"
              data-testid="subscriptions-count"
            >
              {formatCount(answer.total)}
            </Link>
            <span className="block text-xs text-muted" data-testid="subscriptions-worst-lag">
              {!worst ? (
                "nobody is reading"
              ) : worst.lagFacts === 0n ? (
                "all caught up"
              ) : (
                <Link
                  href="/subscriptions"
                  className="hover:underline"
                  title={`Furthest behind: ${worst.clientId || worst.id}`}
                >
                  worst lag {formatCount(worst.lagFacts)} {worst.lagFacts === 1n ? "fact" : "facts"} ·{" "}
                  {formatDuration(worst.lagMs)}
                </Link>
              )}
            </span>
          </>
        )}
      </dd>
    </div>
  );
}
