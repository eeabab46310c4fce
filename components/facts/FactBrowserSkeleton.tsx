/** The fact browser's shape while it loads: title, a form-sized block, a table of grey rows. */
import { PageTitle } from "@/components/ui/PageTitle";
import { Skeleton, SkeletonRows } from "@/components/ui/Skeleton";

export function FactBrowserSkeleton() {
  return (
    <div className="flex flex-col gap-3">
      <PageTitle
        title="Facts"
        subtitle="Filter, page through and export the facts in the store. The URL holds the whole query: copy it to share it."
      />
      <div className="rounded-lg border border-line bg-surface p-3">
        <div className="grid gap-3 md:grid-cols-2 xl:grid-cols-3">
          {Array.from({ length: 6 }, (_, i) => (
            <div key={i} className="space-y-1">
              <Skeleton className="h-3 w-28" />
              <Skeleton className="h-8 w-full" />
            </div>
          ))}
        </div>
      </div>
      <Skeleton className="h-7 w-72" />
      <div className="rounded-lg border border-line bg-surface">
        <SkeletonRows rows={12} className="p-3" />
      </div>
    </div>
  );
}
