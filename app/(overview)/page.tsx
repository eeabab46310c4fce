/** `/`: the overview (CONTRACT.md routes). */
import { Overview } from "@/components/overview/Overview";
import { OverviewSkeleton } from "@/components/overview/OverviewSkeleton";
import { AfterHydration } from "@/components/ui/AfterHydration";

export default function OverviewPage() {
  return (
    <AfterHydration fallback={<OverviewSkeleton />}>
      <Overview />
    </AfterHydration>
  );
}
