"use client";
/** A page that failed to render: say what happened in words and offer to try again. */
import { useEffect } from "react";
import { ErrorNotice } from "@/components/ui/ErrorNotice";
import { ButtonLink } from "@/components/ui/Button";

export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    // Keep the details for whoever opens the browser console; the page shows words only.
    console.error(error);
  }, [error]);
  return (
    <div className="mx-auto mt-10 w-full max-w-2xl space-y-4">
      <ErrorNotice error={error} retry={reset} what="This page could not be shown" />
      <ButtonLink href="/">Back to the overview</ButtonLink>
    </div>
  );
}
