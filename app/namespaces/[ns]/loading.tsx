import { NamespaceSkeleton } from "@/components/namespace/NamespaceSkeleton";

export default function Loading() {
  return <NamespaceSkeleton />;
}
