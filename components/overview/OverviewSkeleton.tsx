/** The overview's shape while it loads. */
import { PageTitle } from "@/components/ui/PageTitle";
import { Skeleton, SkeletonRows } from "@/components/ui/Skeleton";

export function OverviewSkeleton() {
  return (
    <div className="space-y-4" aria-busy="true">
      <PageTitle title="Overview" subtitle="Namespaces, types and activity in this store." />
      <div className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-5">
        {Array.from({ length: 5 }, (_, i) => (
          <div key={i} className="rounded-lg border border-line bg-surface px-4 py-3">
            <Skeleton className="h-3 w-20" />
            <Skeleton className="mt-2 h-6 w-16" />
          </div>
        ))}
      </div>
      <div className="grid items-start gap-4 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <div className="rounded-lg border border-line bg-surface p-4">
          <SkeletonRows rows={8} />
        </div>
        <div className="rounded-lg border border-line bg-surface p-4">
          <SkeletonRows rows={6} />
        </div>
      </div>
    </div>
  );
}
