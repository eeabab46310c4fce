import { FactBrowserSkeleton } from "@/components/facts/FactBrowserSkeleton";

export default function Loading() {
  return <FactBrowserSkeleton />;
}
