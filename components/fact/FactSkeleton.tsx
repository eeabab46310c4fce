/** The fact page's shape while it loads. */
import { Skeleton, SkeletonRows } from "@/components/ui/Skeleton";

export function FactSkeleton() {
  return (
    <div className="space-y-4" aria-busy="true">
      <div className="space-y-2">
        <Skeleton className="h-3 w-16" />
        <Skeleton className="h-7 w-96 max-w-full" />
        <Skeleton className="h-4 w-64" />
      </div>
      <div className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_28rem]">
        <div className="rounded-lg border border-line bg-surface p-4">
          <SkeletonRows rows={14} />
        </div>
        <div className="rounded-lg border border-line bg-surface p-4">
          <SkeletonRows rows={9} />
        </div>
      </div>
    </div>
  );
}
