/**
 * The overview's skeleton. It lives in a route group so its Suspense boundary wraps only this
 * page: above /facts/<serial> it would start streaming before the fact is looked up, and an
 * unknown serial could no longer answer with status 404.
 */
import { OverviewSkeleton } from "@/components/overview/OverviewSkeleton";

export default function Loading() {
  return <OverviewSkeleton />;
}
