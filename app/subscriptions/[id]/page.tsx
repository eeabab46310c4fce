/** `/subscriptions/<id>`: one subscription while it runs; the id is checked by the page itself. */
import type { Metadata } from "next";
import { SubscriptionDetail } from "@/components/subscriptions/SubscriptionDetail";
import { AfterHydration } from "@/components/ui/AfterHydration";
import { SkeletonRows } from "@/components/ui/Skeleton";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata(props: Props): Promise<Metadata> {
  const { id } = await props.params;
  return { title: `Subscription ${decodeURIComponent(id).slice(0, 8)}` };
}

export default async function SubscriptionPage(props: Props) {
  const { id } = await props.params;
  return (
    <AfterHydration fallback={<SkeletonRows rows={12} />}>
      <SubscriptionDetail id={decodeURIComponent(id)} />
    </AfterHydration>
  );
}
