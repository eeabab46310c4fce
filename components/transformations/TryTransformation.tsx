"use client";
/**
 * The try-it panel: one stored fact (by serial) through the candidate in the editor, as if it were
 * registered — the store computes the chain with the candidate in place of what is registered for
 * its pair and runs it in its sandbox. Nothing is registered or cached.
 */
import Link from "@/components/ui/Link";
import { useState } from "react";
import { HighlightedJson } from "@/components/schemas/HighlightedJson";
import { Button } from "@/components/ui/Button";
import { ErrorNotice } from "@/components/ui/ErrorNotice";
import { Notice } from "@/components/ui/Notice";
import { Panel } from "@/components/ui/Panel";
import { useTryTransformation } from "@/lib/browser/transformations";
import { factHref } from "@/lib/view/links";
import { chainPath } from "@/lib/view/versions";

const input = "h-8 w-32 rounded-md border border-line bg-surface px-2 font-mono text-sm text-fg";

export interface Candidate {
  key: { ns: string; type: string; fromVersion: number; toVersion: number };
  code: string;
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function TryTransformation({ candidate, serial: initial }: { candidate?: Candidate; serial: string }) {
  const [serial, setSerial] = useState(initial);
  const [serialError, setSerialError] = useState<string>();
  const run = useTryTransformation();
  const res = run.data;
  const tried = run.variables;

  const go = () => {
    const text = serial.trim();
    if (!/^\d+$/.test(text) || BigInt(text) < 1n) {
      setSerialError(`“${text}” is not a serial: enter a fact's serial, a whole number like 1042`);
      return;
    }
    if (!candidate) return;
    setSerialError(undefined);
    run.mutate({ serial: BigInt(text), version: candidate.key.toVersion, candidate });
  };

  return (
    <Panel title="Try it on a stored fact" id="try-it">
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          go();
        }}
      >
        <label className="text-xs text-muted">
          Fact serial
          <input
            className={`${input} block`}
            value={serial}
            onChange={(e) => setSerial(e.target.value)}
            inputMode="numeric"
            placeholder="1042"
            aria-invalid={!!serialError}
            data-testid="try-serial"
          />
        </label>
        <Button type="submit" disabled={!candidate || run.isPending}>
          {run.isPending ? "Running…" : `Try as version ${candidate?.key.toVersion || "…"}`}
        </Button>
        {!candidate && <span className="text-xs text-muted">Fill in the pair above first.</span>}
      </form>
      {serialError && (
        <p className="mt-2 text-xs text-danger" role="alert">
          {serialError}
        </p>
      )}
      {run.error && (
        <div className="mt-3">
          <ErrorNotice error={run.error} what="The fact could not be tried" />
        </div>
      )}
      {res && tried && (
        <div className="mt-3 space-y-2" data-testid="try-result">
          {res.failure ? (
            <Notice
              tone="danger"
              title={res.failureKind === "missing" ? "No chain reaches this version" : "The transformation failed"}
            >
              <p className="font-mono text-xs text-fg" data-testid="try-failure">
                {res.failureKind === "missing"
                  ? "MissingTransformationInformationException"
                  : "TransformationException"}
                : {res.failure}
              </p>
            </Notice>
          ) : (
            <p className="text-xs text-muted" data-testid="try-chain">
              Fact{" "}
              <Link className="text-accent hover:underline" href={factHref(String(tried.serial))}>
                {String(tried.serial)}
              </Link>{" "}
              {res.chain.length > 0
                ? `as version ${tried.version} through ${chainPath(res.chain)}`
                : `is already version ${tried.version}: nothing to run`}
            </p>
          )}
          <div className="grid gap-3 lg:grid-cols-2">
            <div>
              <h3 className="mb-1 text-xs font-medium text-muted">As stored</h3>
              <HighlightedJson value={parsed(res.payloadJson)} testId="try-before" />
            </div>
            {!res.failure && (
              <div>
                <h3 className="mb-1 text-xs font-medium text-muted">As version {tried.version}</h3>
                <HighlightedJson value={parsed(res.transformedPayloadJson)} testId="try-after" />
              </div>
            )}
          </div>
        </div>
      )}
    </Panel>
  );
}
