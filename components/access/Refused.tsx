"use client";
/**
 * "You cannot read namespace X": what a page shows instead of its content when the store refused
 * it for this user, with the store's own reason (the guarantee is the store's refusal; this says it).
 */
import { ConnectError } from "@connectrpc/connect";
import type { ReactNode } from "react";
import { ButtonLink } from "@/components/ui/Button";
import { Notice } from "@/components/ui/Notice";

export function Refused(props: { what: ReactNode; error: unknown; className?: string; back?: boolean }) {
  const reason = ConnectError.from(props.error).rawMessage;
  return (
    <Notice
      tone="warn"
      className={props.className}
      title={<span data-testid="refused-title">You cannot {props.what}</span>}
      action={
        props.back && (
          <ButtonLink href="/" size="sm">
            What you can read
          </ButtonLink>
        )
      }
    >
      <span data-testid="refused-reason">The store refused it: {reason}.</span> It decides what each account may do; ask
      its operator if you need this.
    </Notice>
  );
}
