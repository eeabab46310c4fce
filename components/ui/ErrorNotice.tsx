"use client";
/** A failed request in words (lib/browser/errors.ts), with a retry when one can help. */
import { describeError } from "@/lib/browser/errors";
import { Button } from "./Button";
import { Notice } from "./Notice";

export function ErrorNotice(props: { error: unknown; retry?: () => void; what?: string; className?: string }) {
  const words = describeError(props.error);
  return (
    <Notice
      tone="danger"
      className={props.className}
      title={props.what ? `${props.what}: ${words.title.toLowerCase()}` : words.title}
      action={
        props.retry && (
          <Button size="sm" onClick={props.retry}>
            Try again
          </Button>
        )
      }
    >
      {words.detail}
    </Notice>
  );
}
