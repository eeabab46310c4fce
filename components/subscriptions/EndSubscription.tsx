"use client";
/**
 * Ending a subscription, for users the store lets operate: a button that opens a confirmation
 * (a modal <dialog>: focus stays inside, Escape cancels) asking for a reason — shown to the client
 * and kept in the audit trail — and whether the client may reconnect. The store decides again;
 * its refusal or "it has ended already" shows in the dialog in its words.
 */
import { useEffect, useId, useRef, useState } from "react";
import { Button } from "@/components/ui/Button";
import { ErrorNotice } from "@/components/ui/ErrorNotice";
import { Notice } from "@/components/ui/Notice";
import type { Subscription } from "@/gen/factline/admin/v1/operations_pb";
import { useEndSubscription } from "@/lib/browser/operations";
import { cx } from "@/lib/view/cx";
import { endReasonProblem, MAX_END_REASON, shortId } from "@/lib/view/subscriptions";

export interface Ended {
  id: string;
  clientId: string;
  letReconnect: boolean;
}

/** The row's or page's control; it opens the one dialog its page holds. */
export function EndButton(props: { subscription: Subscription; onClick: () => void; size?: "sm" | "md" }) {
  const by = props.subscription.endRequestedBy;
  return (
    <Button
      size={props.size ?? "sm"}
      variant="secondary"
      // "!": over the variant's own text colour (the variants set theirs; cx does not merge).
      className="text-danger!"
      onClick={props.onClick}
      disabled={by !== ""}
      title={by ? `${by} asked to end it; it ends within a beat` : "End this subscription…"}
      data-testid="end-subscription"
    >
      {by ? "Ending…" : "End…"}
    </Button>
  );
}

/** The confirmation for `target` (open while it is set); one per page, however many rows. */
export function EndSubscriptionDialog(props: {
  target: Subscription | undefined;
  onClose: () => void;
  onEnded?: (ended: Ended) => void;
}) {
  const s = props.target;
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState("");
  const [letReconnect, setLetReconnect] = useState(false);
  const end = useEndSubscription();
  const { reset } = end;
  const ids = useId();
  const problem = endReasonProblem(reason);

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (s && !d.open) {
      reset();
      setReason("");
      setLetReconnect(false);
      d.showModal();
    } else if (!s && d.open) d.close();
  }, [s, reset]);

  const submit = () => {
    if (!s || problem || end.isPending) return;
    end.mutate(
      { id: s.id, reason: reason.trim(), letReconnect },
      {
        onSuccess: () => {
          props.onEnded?.({ id: s.id, clientId: s.clientId, letReconnect });
          props.onClose();
        },
      },
    );
  };

  return (
    <dialog
      ref={dialog}
      aria-labelledby={`${ids}-title`}
      // Escape and the Cancel button both close it; the page forgets its target then.
      onClose={props.onClose}
      className="m-auto w-[min(34rem,calc(100vw-2rem))] rounded-lg border border-line bg-surface p-0 text-fg shadow-xl backdrop:bg-black/50"
      data-testid="end-dialog"
    >
      {s && (
        <form
          className="space-y-4 p-5"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <div>
            <h2 id={`${ids}-title`} className="text-base font-semibold">
              End the subscription of {s.clientId || "(no fc-id)"}?
            </h2>
            <p className="mt-1 text-sm text-muted">
              Subscription <span className="font-mono">{shortId(s.id)}</span> of account {s.account}. Its stream ends
              within a moment, on whichever instance serves it, with your reason as the status message.
            </p>
          </div>
          <div>
            <label htmlFor={`${ids}-reason`} className="mb-1 block text-xs font-medium text-muted">
              Reason <span className="font-normal text-subtle">(shown to the client, kept in the audit log)</span>
            </label>
            <input
              id={`${ids}-reason`}
              name="reason"
              value={reason}
              autoComplete="off"
              placeholder="e.g. stuck consumer, restarting it"
              aria-invalid={problem ? true : undefined}
              aria-describedby={`${ids}-reason-hint`}
              onChange={(e) => setReason(e.target.value)}
              className={cx(
                "h-8 w-full rounded-md border bg-surface px-2 text-sm text-fg placeholder:text-subtle",
                problem ? "border-danger" : "border-line focus:border-accent",
              )}
              data-testid="end-reason"
            />
            <p
              id={`${ids}-reason-hint`}
              className={cx("mt-1 flex justify-between gap-2 text-[11px]", problem ? "text-danger" : "text-subtle")}
              data-testid="end-reason-hint"
            >
              <span>{problem ?? "Optional. One line."}</span>
              <span className="tabular shrink-0">
                {reason.trim().length}/{MAX_END_REASON}
              </span>
            </p>
          </div>
          <label className="flex items-start gap-2 text-sm">
            <input
              type="checkbox"
              checked={letReconnect}
              onChange={(e) => setLetReconnect(e.target.checked)}
              className="mt-0.5 accent-accent"
              data-testid="end-let-reconnect"
            />
            <span>
              Let it reconnect
              <span className="block text-xs text-muted">
                The client gets ABORTED, and a FactCast client subscribes again after the last fact it got (to restart a
                stuck consumer, or move it to another instance). Without this it gets CANCELLED and stops.
              </span>
            </span>
          </label>
          {end.error && <ErrorNotice error={end.error} what="The store did not end it" />}
          <div className="flex justify-end gap-2">
            <Button variant="ghost" onClick={props.onClose}>
              Cancel
            </Button>
            <Button
              type="submit"
              variant="primary"
              className="border-danger! bg-danger! text-surface! hover:opacity-90"
              disabled={problem !== undefined || end.isPending}
              data-testid="end-confirm"
            >
              {end.isPending ? "Ending…" : "End subscription"}
            </Button>
          </div>
        </form>
      )}
    </dialog>
  );
}

/** What a page says once a subscription was ended from it. */
export function EndedNotice({ ended, onDismiss }: { ended: Ended; onDismiss: () => void }) {
  return (
    <Notice
      tone="ok"
      title={<span data-testid="ended-notice">Ended the subscription of {ended.clientId || "(no fc-id)"}</span>}
      action={
        <Button size="sm" variant="ghost" onClick={onDismiss}>
          Dismiss
        </Button>
      }
    >
      Its stream ends within a moment with{" "}
      {ended.letReconnect ? "ABORTED: a FactCast client subscribes again" : "CANCELLED"}. The end is in the audit log as
      subscription.end.
    </Notice>
  );
}
