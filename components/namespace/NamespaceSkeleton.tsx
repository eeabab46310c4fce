/** The namespace page's shape while it loads. */
import { Skeleton, SkeletonRows } from "@/components/ui/Skeleton";

export function NamespaceSkeleton() {
  return (
    <div className="space-y-4" aria-busy="true">
      <div className="space-y-2">
        <Skeleton className="h-3 w-20" />
        <Skeleton className="h-7 w-64" />
      </div>
      <div className="rounded-lg border border-line bg-surface p-4">
        <SkeletonRows rows={6} />
      </div>
      <div className="rounded-lg border border-line bg-surface p-4">
        <SkeletonRows rows={8} />
      </div>
    </div>
  );
}
