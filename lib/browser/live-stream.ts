"use client";
/**
 * The live view's stream: WatchFacts (server streaming) read with for-await, batched into the
 * capped buffer of ./live-buffer.ts on a fixed beat. connect-query has no streaming hook, hence
 * this one. It reconnects with backoff and resumes after the last fact it accepted, so a dropped
 * connection (to the console backend or to the store) loses and repeats nothing.
 */
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { useTransport } from "@connectrpc/connect-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { ConsoleService, type FactFilter } from "../../gen/factline/console/v1/console_pb";
import { watchStartFields, type LiveStart } from "../live-params";
import { toFactRow, type FactRow } from "../view/facts";
import { describeError } from "./errors";
import { addMarker, appendFacts, clearBuffer, emptyBuffer, setCap, setPaused, type LiveBuffer } from "./live-buffer";
import { RateCounter, type RateSnapshot } from "./live-rate";

/**
 * Incoming facts wait in a ref and reach React state this often: one render per beat instead of
 * one per message keeps the page responsive at 1,000 facts/s, and 150 ms still reads as "instant".
 */
export const FLUSH_MS = 150;
/** First reconnect delay; doubles per failed attempt up to RECONNECT_MAX_MS (a restarting store needs seconds). */
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;
/** The backend sends a heartbeat every 10 s; three missed ones mean the connection is dead, not quiet. */
const STALE_AFTER_MS = 30_000;
/**
 * A hidden tab gives its stream back after this long. Browsers allow ~6 HTTP/1.1 connections per
 * origin, and each live tab holds one open for as long as it watches: a few forgotten background
 * tabs would otherwise leave the rest of the console waiting for a connection. Visible again, the
 * tab resumes after the last fact it showed.
 */
export const HIDDEN_RELEASE_MS = 30_000;

/**
 * Errors that the same request would meet again (a bad start, a refused credential): retrying
 * them would only hammer the backend, so the watch ends and says why.
 */
const PERMANENT = new Set<Code>([
  Code.InvalidArgument,
  Code.FailedPrecondition,
  Code.OutOfRange,
  Code.PermissionDenied,
  Code.Unauthenticated,
  Code.NotFound,
  Code.Unimplemented,
]);

/** The stream's connection, as the status badge shows it (lib/view/live-status.ts). */
export type LiveStatus =
  | { kind: "connecting" }
  | { kind: "live"; caughtUp: boolean }
  | { kind: "reconnecting"; attempt: number; inMs: number; error: string }
  | { kind: "stopped" }
  | { kind: "hidden" }
  | { kind: "failed"; title: string; detail: string };

/**
 * Where the next connection resumes. `anchored` once the backend said where it is (a fact, or
 * caught up to a serial): from then on a reconnect resumes after `serial` (0 = from the beginning),
 * whatever the original start was.
 */
export interface Position {
  serial: bigint;
  id: string;
  anchored: boolean;
}

type Pending = { kind: "facts"; rows: FactRow[] } | { kind: "marker"; reason: string };

export function useLiveStream(filters: FactFilter[], start: LiveStart, startKey: string) {
  const transport = useTransport();
  const [buffer, setBuffer] = useState<LiveBuffer>(() => emptyBuffer());
  const [status, setStatus] = useState<LiveStatus>({ kind: "connecting" });
  const [stopped, setStopped] = useState(false);
  // Bumped by "watch again", so a watch that failed for good is tried once more on request.
  const [attempts, setAttempts] = useState(0);
  const [hidden, setHidden] = useState(false);
  const [rate, setRate] = useState<RateSnapshot>(() => new RateCounter().snapshot());
  const pending = useRef<Pending[]>([]);
  const rates = useRef(new RateCounter());
  // The position the next connection resumes after: the last fact accepted (even if not flushed yet).
  const position = useRef<Position>({ serial: 0n, id: "", anchored: false });
  // Ends the pause before the next reconnect attempt (reconnectNow).
  const wakeUp = useRef<() => void>(undefined);
  const filtersRef = useRef(filters);
  const startRef = useRef(start);
  // Declared before the stream's effect, so a (re)connection in the same commit reads the new values.
  useEffect(() => {
    filtersRef.current = filters;
    startRef.current = start;
  });

  // A new subscription in the URL: everything starts over. The list and the stop switch are reset
  // while rendering (React's pattern for state that follows a prop), the refs in an effect.
  const [subscribedKey, setSubscribedKey] = useState(startKey);
  if (subscribedKey !== startKey) {
    setSubscribedKey(startKey);
    setBuffer((b) => emptyBuffer(b.cap));
    setStopped(false);
  }
  useEffect(() => {
    position.current = { serial: 0n, id: "", anchored: false };
    pending.current = [];
    rates.current.clear();
  }, [startKey]);

  // The flush beat (see FLUSH_MS).
  useEffect(() => {
    let rateSecond = 0;
    const timer = setInterval(() => {
      const ops = pending.current;
      if (ops.length > 0) {
        pending.current = [];
        setBuffer((b) =>
          ops.reduce((acc, op) => (op.kind === "facts" ? appendFacts(acc, op.rows) : addMarker(acc, op.reason)), b),
        );
      }
      // The chart counts whole seconds: a new snapshot only when a second has completed.
      const second = Math.floor(Date.now() / 1000);
      if (second !== rateSecond) {
        rateSecond = second;
        setRate(rates.current.snapshot());
      }
    }, FLUSH_MS);
    return () => clearInterval(timer);
  }, []);

  // Release the stream while the tab is hidden for long (see HIDDEN_RELEASE_MS).
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onChange = () => {
      clearTimeout(timer);
      if (document.visibilityState === "hidden") timer = setTimeout(() => setHidden(true), HIDDEN_RELEASE_MS);
      else setHidden(false);
    };
    document.addEventListener("visibilitychange", onChange);
    return () => {
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onChange);
    };
  }, []);

  // The stream itself: one loop per (subscription, running) — leaving the page aborts it.
  useEffect(() => {
    // Stopped or hidden: no stream; the status returned below says which.
    if (stopped || hidden) return;
    const abort = new AbortController();
    const client = createClient(ConsoleService, transport);
    void (async () => {
      let attempt = 0;
      // A second loop for the same subscription (after Stop or a hidden tab) marks where it resumed.
      let resumed = position.current.anchored;
      while (!abort.signal.aborted) {
        const conn = new AbortController();
        const stopConn = () => conn.abort();
        abort.signal.addEventListener("abort", stopConn, { once: true });
        let stale: ReturnType<typeof setTimeout> | undefined;
        const alive = () => {
          clearTimeout(stale);
          stale = setTimeout(
            () => conn.abort(new Error("no heartbeat from the console backend for 30 s")),
            STALE_AFTER_MS,
          );
        };
        let error = "the stream ended";
        try {
          setStatus(attempt === 0 ? { kind: "connecting" } : { kind: "reconnecting", attempt, inMs: 0, error: "" });
          alive();
          const req = resumeRequest(position.current, startRef.current);
          const reason = attempt === 0 ? "resumed" : "reconnected";
          let marked = !resumed;
          for await (const res of client.watchFacts({ filters: filtersRef.current, ...req }, { signal: conn.signal })) {
            alive();
            // Marked once the new stream answers, so failed attempts leave no trail of markers.
            if (!marked) {
              marked = true;
              pending.current.push({ kind: "marker", reason });
            }
            attempt = 0;
            if (res.event.case === "facts") {
              const rows: FactRow[] = [];
              for (const f of res.event.value.facts) {
                // After a reconnect the backend may repeat the edge: never show a fact twice.
                if (f.serial <= position.current.serial) continue;
                position.current.serial = f.serial;
                position.current.id = f.id;
                rows.push(toFactRow(f));
              }
              if (rows.length > 0) {
                position.current.anchored = true;
                pending.current.push({ kind: "facts", rows });
                rates.current.record(rows.map((r) => r.type));
              }
              setStatus((s) => (s.kind === "live" ? s : { kind: "live", caughtUp: false }));
            } else if (res.event.case === "caughtUp") {
              // Nothing matched up to here: a reconnect before the next fact may resume after it.
              const latest = res.event.value.latestSerial;
              if (latest > position.current.serial) position.current = { serial: latest, id: "", anchored: true };
              else position.current.anchored = true;
              setStatus({ kind: "live", caughtUp: true });
            } else {
              setStatus((s) => (s.kind === "live" ? s : { kind: "live", caughtUp: true }));
            }
          }
        } catch (e) {
          if (abort.signal.aborted) return;
          if (!conn.signal.aborted && PERMANENT.has(ConnectError.from(e).code)) {
            const { title, detail } = describeError(e);
            setStatus({ kind: "failed", title, detail });
            return;
          }
          error =
            conn.signal.aborted && conn.signal.reason instanceof Error
              ? conn.signal.reason.message
              : describeError(e).title;
        } finally {
          clearTimeout(stale);
          abort.signal.removeEventListener("abort", stopConn);
          conn.abort();
        }
        if (abort.signal.aborted) return;
        attempt++;
        // A marker only where facts were shown before the break: an empty list needs none.
        resumed = position.current.anchored;
        const inMs = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);
        setStatus({ kind: "reconnecting", attempt, inMs, error });
        await sleep(inMs, abort.signal, (wake) => (wakeUp.current = wake));
        wakeUp.current = undefined;
      }
    })();
    return () => abort.abort();
  }, [transport, startKey, stopped, hidden, attempts]);

  return {
    buffer,
    status: stopped ? STOPPED : hidden ? HIDDEN : status,
    rate,
    pause: useCallback(() => setBuffer((b) => setPaused(b, true)), []),
    resume: useCallback(() => setBuffer((b) => setPaused(b, false)), []),
    clear: useCallback(() => {
      rates.current.clear();
      setBuffer(clearBuffer);
    }, []),
    setCap: useCallback((cap: number) => setBuffer((b) => setCap(b, cap)), []),
    /** Ends the subscription and keeps what the list shows. */
    stop: useCallback(() => setStopped(true), []),
    /** A reconnect waiting out its pause tries at once (the store is known to be back). */
    reconnectNow: useCallback(() => wakeUp.current?.(), []),
    /** Watches again, after the last fact shown. */
    restart: useCallback(() => {
      setStopped(false);
      setAttempts((n) => n + 1);
    }, []),
  };
}

const STOPPED: LiveStatus = { kind: "stopped" };
const HIDDEN: LiveStatus = { kind: "hidden" };

/** The start of the next connection: after the position once there is one, else the URL's start. */
export function resumeRequest(pos: Position, start: LiveStart) {
  if (pos.anchored) return pos.serial > 0n ? { afterSerial: pos.serial, afterId: pos.id } : { fromBeginning: true };
  // Nothing heard yet (the first connection failed before caught_up): the URL's start again.
  return watchStartFields(start);
}

function sleep(ms: number, signal: AbortSignal, onWake: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    const wake = () => (clearTimeout(t), resolve());
    signal.addEventListener("abort", wake, { once: true });
    onWake(wake);
  });
}
