/** `/instances` (README "The console"): the store instances sharing the database. */
import type { Metadata } from "next";
import { InstancesView } from "@/components/instances/InstancesView";
import { AfterHydration } from "@/components/ui/AfterHydration";
import { SkeletonRows } from "@/components/ui/Skeleton";

export const metadata: Metadata = { title: "Instances" };

export default function InstancesPage() {
  return (
    <AfterHydration fallback={<SkeletonRows rows={6} />}>
      <InstancesView />
    </AfterHydration>
  );
}
