"use client";
/**
 * Previous / next fact of the same namespace and type. `[` and `]` step through them from the
 * keyboard (unless the user is typing).
 */
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { ButtonLink, buttonClass } from "@/components/ui/Button";
import { Kbd } from "@/components/ui/Kbd";
import { factHref } from "@/lib/view/links";
import { formatCount } from "@/lib/view/numbers";

/** `previousUnknown`: a plain FactCast server cannot tell the previous fact without reading everything before it. */
export function FactNav({
  previous,
  next,
  previousUnknown,
}: {
  previous: bigint;
  next: bigint;
  previousUnknown?: boolean;
}) {
  const router = useRouter();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (
        e.ctrlKey ||
        e.metaKey ||
        e.altKey ||
        (t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName)))
      )
        return;
      if (e.key === "[" && previous > 0n) router.push(factHref(previous));
      if (e.key === "]" && next > 0n) router.push(factHref(next));
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [previous, next, router]);

  return (
    <nav aria-label="Same namespace and type" className="flex items-center gap-2">
      {previous > 0n ? (
        <ButtonLink
          href={factHref(previous)}
          size="sm"
          title={`Previous of this type: serial ${formatCount(previous)}`}
          rel="prev"
        >
          ← Previous <Kbd>[</Kbd>
        </ButtonLink>
      ) : (
        <span
          className={buttonClass("secondary", "sm", "opacity-50")}
          aria-disabled="true"
          title={
            previousUnknown
              ? "Finding the previous fact needs factline's admin services; this store does not offer them"
              : "The first fact of this type"
          }
        >
          ← Previous
        </span>
      )}
      {next > 0n ? (
        <ButtonLink href={factHref(next)} size="sm" title={`Next of this type: serial ${formatCount(next)}`} rel="next">
          Next <Kbd>]</Kbd> →
        </ButtonLink>
      ) : (
        <span
          className={buttonClass("secondary", "sm", "opacity-50")}
          aria-disabled="true"
          title="The latest fact of this type"
        >
          Next →
        </span>
      )}
    </nav>
  );
}
