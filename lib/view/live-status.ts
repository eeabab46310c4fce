/**
 * What the live view's status badge says. Two things decide it — the stream's connection
 * (lib/browser/live-stream.ts) and whether the list is paused (lib/browser/live-buffer.ts) — and the
 * badge must never claim "Live" for a list that holds still, nor hide a connection problem behind
 * "Paused". Pure, so every combination is tested without a browser.
 */
import type { LiveStatus } from "../browser/live-stream";

export type LiveState =
  "connecting" | "catching-up" | "live" | "waiting" | "paused" | "reconnecting" | "hidden" | "stopped" | "failed";

export interface LiveBadge {
  /** Stable, for tests and styling (`data-status`). */
  state: LiveState;
  label: string;
  tone: "ok" | "accent" | "warn" | "danger" | "muted";
  /** A second line: why it reconnects or failed, what pause means. */
  detail?: string;
}

/**
 * `databaseDown`: the store says its database is unavailable. The store then holds the stream open
 * but nothing new can arrive, so an open stream is "waiting", never a green "Live".
 */
export function liveBadge(status: LiveStatus, paused: boolean, databaseDown = false): LiveBadge {
  switch (status.kind) {
    case "connecting":
      return { state: "connecting", label: "Connecting…", tone: "muted" };
    case "live":
      if (databaseDown && !paused) {
        return {
          state: "waiting",
          label: "Waiting for the database",
          tone: "warn",
          detail: "the stream is open; it continues after the last fact shown once the store's database is back",
        };
      }
      if (paused) {
        return {
          state: "paused",
          label: status.caughtUp ? "Paused" : "Paused (catching up)",
          tone: "accent",
          detail: "still receiving; the list holds still until you resume",
        };
      }
      return status.caughtUp
        ? { state: "live", label: "Live", tone: "ok" }
        : { state: "catching-up", label: "Catching up", tone: "ok" };
    case "reconnecting": {
      const label =
        status.inMs > 0
          ? `Reconnecting in ${Math.max(1, Math.round(status.inMs / 1000))} s (attempt ${status.attempt})`
          : `Reconnecting (attempt ${status.attempt})…`;
      return { state: "reconnecting", label, tone: "warn", detail: status.error || undefined };
    }
    case "hidden":
      return {
        state: "hidden",
        label: "On hold: tab hidden",
        tone: "muted",
        detail: "resumes after the last fact shown when the tab is visible again",
      };
    case "stopped":
      return {
        state: "stopped",
        label: "Stopped",
        tone: "muted",
        detail: "the list is kept; watch again to continue after its last fact",
      };
    case "failed":
      return { state: "failed", label: `Failed: ${status.title}`, tone: "danger", detail: status.detail };
  }
}
