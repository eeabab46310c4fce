"use client";
/**
 * Deleting a registered transformation, after saying what it means: consumers asking for the target
 * version of facts that only reached it through this edge get MissingTransformationInformationException
 * from then on. The store records the deletion in its audit trail.
 */
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { ErrorNotice } from "@/components/ui/ErrorNotice";
import { useDeleteTransformation } from "@/lib/browser/transformations";

export function DeleteTransformation(props: {
  transformationKey: { ns: string; type: string; fromVersion: number; toVersion: number };
  onDeleted(): void;
}) {
  const [asked, setAsked] = useState(false);
  const remove = useDeleteTransformation();
  const k = props.transformationKey;
  if (!asked) {
    return (
      <Button variant="ghost" onClick={() => setAsked(true)}>
        Delete…
      </Button>
    );
  }
  return (
    <div className="basis-full space-y-2 rounded-md border border-danger bg-danger-soft p-3 text-sm text-fg">
      <p data-testid="delete-warning">
        Delete v{k.fromVersion} → v{k.toVersion}? Consumers asking for version {k.toVersion} of facts that reach it only
        through this edge get a MissingTransformationInformationException from then on.
      </p>
      <div className="flex gap-2">
        <Button
          variant="primary"
          disabled={remove.isPending}
          onClick={() =>
            remove.mutate(
              { key: k },
              {
                onSuccess: () => {
                  setAsked(false);
                  props.onDeleted();
                },
              },
            )
          }
        >
          {remove.isPending ? "Deleting…" : `Delete v${k.fromVersion} → v${k.toVersion}`}
        </Button>
        <Button variant="ghost" onClick={() => setAsked(false)}>
          Keep it
        </Button>
      </div>
      {remove.error && <ErrorNotice error={remove.error} what="The transformation was not deleted" />}
    </div>
  );
}
