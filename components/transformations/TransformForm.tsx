"use client";
/**
 * `/schemas/transform?ns=&type=&from=&to=&serial=`: a transformation between two versions of a
 * type — its registered code (read-only for users who may not manage the namespace's schemas), and
 * for those who may: edit it, Check (CheckTransformation: compiles? what it makes of the examples
 * and the newest stored facts, validated against the target schema), then Register. A check belongs
 * to the exact pair and code it checked; changing either asks for a new one. Registered code is
 * immutable: a changed script needs Replace and a reason, as schemas do.
 */
import Link from "@/components/ui/Link";
import { useState } from "react";
import { CodeEditor } from "@/components/editor/CodeEditor";
import { Button } from "@/components/ui/Button";
import { ErrorNotice } from "@/components/ui/ErrorNotice";
import { Notice } from "@/components/ui/Notice";
import { PageTitle } from "@/components/ui/PageTitle";
import { Panel } from "@/components/ui/Panel";
import { Timestamp } from "@/components/ui/Timestamp";
import { useAccess } from "@/lib/browser/access";
import { schemaTypeHref, transformationsHref } from "@/lib/browser/schemas-links";
import { useCheckTransformation, useRegisterTransformation, useTransformation } from "@/lib/browser/transformations";
import { offerSchemaChanges } from "@/lib/view/access";
import { DeleteTransformation } from "./DeleteTransformation";
import { TransformCheckResult } from "./TransformCheckResult";
import { TryTransformation, type Candidate } from "./TryTransformation";

const input = "h-8 w-full rounded-md border border-line bg-surface px-2 text-sm text-fg";

const UPCAST_STARTER = `function (e) {
  // e is the payload; change it in place into the target version, e.g.
  // e.displayName = e.firstName + " " + e.lastName;
}`;

export interface TransformFormProps {
  ns: string;
  type: string;
  from: number;
  to: number;
  serial: string;
}

/** A version field's text as a version, or why not (0 and below, not a number). */
function versionOf(text: string, name: string): { version: number } | { error: string } {
  const t = text.trim();
  if (t === "") return { error: `enter the ${name} version` };
  if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > 2_147_483_647) {
    return { error: `${name} version “${t}” is not a version: use a whole number from 1` };
  }
  return { version: Number(t) };
}

export function TransformForm(props: TransformFormProps) {
  const [ns, setNs] = useState(props.ns);
  const [type, setType] = useState(props.type);
  const [fromText, setFromText] = useState(props.from ? String(props.from) : "");
  const [toText, setToText] = useState(props.to ? String(props.to) : "");
  const from = versionOf(fromText, "from");
  const to = versionOf(toText, "to");
  const same = "version" in from && "version" in to && from.version === to.version;
  const key =
    ns.trim() && type.trim() && "version" in from && "version" in to && !same
      ? { ns: ns.trim(), type: type.trim(), fromVersion: from.version, toVersion: to.version }
      : undefined;

  const access = useAccess(ns.trim() ? [ns.trim()] : []);
  // Until the store has answered, offer nothing that needs the permission (lib/view/access.ts).
  const manage = offerSchemaChanges(access.data, ns.trim() || undefined);
  const registered = useTransformation(key);
  // A refetch that finds it gone (deleted) errors with NOT_FOUND but keeps the earlier data: not registered.
  const existing = registered.isError ? undefined : registered.data?.transformation;

  // The user's text once they type; until then the registered code (or a starter for a new pair).
  const [draft, setDraft] = useState<string>();
  const [describedAs, setDescribedAs] = useState<string>();
  const code = draft ?? existing?.code ?? (key && key.fromVersion > key.toVersion ? "" : UPCAST_STARTER);
  const description = describedAs ?? existing?.description ?? "";

  const check = useCheckTransformation();
  const register = useRegisterTransformation();
  const [force, setForce] = useState(false);
  const [reason, setReason] = useState("");
  const candidateId = key
    ? `${key.ns}\u0000${key.type}\u0000${key.fromVersion}\u0000${key.toVersion}\u0000${code}`
    : "";
  const [checked, setChecked] = useState<string>();
  const current = checked === candidateId && candidateId !== "" ? check.data : undefined;
  const needsReason = !!current?.exists && !current.unchanged;
  // Failures in the check are not a veto (FactCast registers without one), but registering over them
  // is a decision: each such fact would fail every consumer asking for the target version.
  const [acceptedFailures, setAcceptedFailures] = useState<string>();
  const failuresAccepted = !current || current.failed === 0n || acceptedFailures === candidateId;
  const canRegister =
    !!current &&
    current.compiles &&
    !current.unchanged &&
    failuresAccepted &&
    (!needsReason || (force && reason.trim() !== ""));

  const runCheck = () => {
    if (!key) return;
    setChecked(candidateId);
    register.reset();
    check.mutate({ key, code, sampleLimit: 0 });
  };
  // What the last successful registration registered: the page keeps showing that code.
  const [registeredId, setRegisteredId] = useState<string>();
  const justRegistered = register.isSuccess && registeredId === candidateId;
  const [deleted, setDeleted] = useState(false);
  const runRegister = () => {
    if (!key) return;
    const id = candidateId;
    register.mutate(
      { key, code, description, force: needsReason && force, reason: needsReason ? reason.trim() : "" },
      {
        onSuccess: () => {
          setRegisteredId(id);
          setDeleted(false);
          setForce(false);
          setReason("");
          void registered.refetch();
        },
      },
    );
  };
  const candidate: Candidate | undefined = key ? { key, code } : undefined;
  const keyError = [
    ...("error" in from && fromText.trim() ? [from.error] : []),
    ...("error" in to && toText.trim() ? [to.error] : []),
    ...(same ? ["from and to must be different versions"] : []),
  ];

  return (
    <div className="space-y-4">
      <PageTitle
        eyebrow={
          <Link href={ns && type ? transformationsHref(ns, type) : "/schemas"} className="hover:underline">
            {ns && type ? `${ns} / ${type}` : "Schemas"}
          </Link>
        }
        title={
          key
            ? `Transformation v${key.fromVersion} → v${key.toVersion} (${key.fromVersion < key.toVersion ? "upcast" : "downcast"})`
            : "A transformation"
        }
      />
      <Panel title="Between" id="key">
        <div className="grid gap-3 sm:grid-cols-[1fr_1fr_7rem_7rem]">
          <label className="text-xs text-muted">
            Namespace
            <input className={input} value={ns} onChange={(e) => setNs(e.target.value)} name="ns" />
          </label>
          <label className="text-xs text-muted">
            Type
            <input className={input} value={type} onChange={(e) => setType(e.target.value)} name="type" />
          </label>
          <label className="text-xs text-muted">
            From version
            <input
              className={input}
              value={fromText}
              onChange={(e) => setFromText(e.target.value)}
              name="from"
              inputMode="numeric"
            />
          </label>
          <label className="text-xs text-muted">
            To version
            <input
              className={input}
              value={toText}
              onChange={(e) => setToText(e.target.value)}
              name="to"
              inputMode="numeric"
            />
          </label>
        </div>
        {keyError.length > 0 && (
          <p className="mt-2 text-xs text-danger" role="alert" data-testid="key-error">
            {keyError.join("; ")}
          </p>
        )}
        {existing && (
          <p className="mt-2 text-xs text-muted" data-testid="registered-line">
            Registered <Timestamp ms={Number(existing.registeredMs)} short />
            {existing.registeredBy && <> by {existing.registeredBy}</>}
            {existing.revision > 1 && <>, revision {existing.revision}</>}
            {existing.code === "" && <> — without code: the identity</>}.{" "}
            <Link className="text-accent hover:underline" href={schemaTypeHref(ns, type)}>
              The type&apos;s schemas
            </Link>
          </p>
        )}
        {key && registered.isError && (
          <p className="mt-2 text-xs text-muted" data-testid="not-registered">
            Not registered yet.
          </p>
        )}
        {manage && (
          <label className="mt-3 block text-xs text-muted">
            Description
            <input
              className={input}
              value={description}
              onChange={(e) => setDescribedAs(e.target.value)}
              name="description"
            />
          </label>
        )}
      </Panel>
      {access.data?.known && !manage && ns.trim() && (
        <Notice
          tone="warn"
          title={<span data-testid="no-schema-permission">You cannot register transformations here</span>}
        >
          Registering and replacing transformations in “{ns.trim()}” needs a role with <code>&quot;schemas&quot;</code>{" "}
          for it in the store&apos;s access file. The code is shown read-only; the try-it panel still runs it.
        </Notice>
      )}
      <Panel
        title="Code"
        id="code"
        aside={key && key.fromVersion > key.toVersion && <span>Leave empty for the identity downcast</span>}
      >
        <CodeEditor
          value={code}
          onChange={setDraft}
          language="javascript"
          label="Transformation code"
          testId="transform-editor"
          readOnly={!manage}
          minHeight="12rem"
        />
        {manage && (
          <div className="mt-3 flex flex-wrap items-center gap-2">
            <Button onClick={runCheck} disabled={!key || check.isPending}>
              {check.isPending ? "Checking…" : "Check"}
            </Button>
            <Button
              variant="primary"
              onClick={runRegister}
              disabled={!canRegister || justRegistered || register.isPending}
            >
              {register.isPending ? "Registering…" : needsReason ? "Replace" : "Register"}
            </Button>
            {!current && key && <span className="text-xs text-muted">Check the code before registering it.</span>}
            {existing && key && (
              <DeleteTransformation
                transformationKey={key}
                onDeleted={() => {
                  // What was checked and registered no longer holds: a new check before registering again.
                  setRegisteredId(undefined);
                  setChecked(undefined);
                  setDeleted(true);
                  setDraft(code);
                  void registered.refetch();
                }}
              />
            )}
            {deleted && !existing && (
              <span className="text-xs text-ok" data-testid="deleted-notice">
                Deleted. The code stays in the editor: check it again to register it anew.
              </span>
            )}
            {justRegistered && (
              <span className="text-xs text-ok" data-testid="registered-notice">
                {register.data.unchanged
                  ? "Unchanged: this code was already registered."
                  : register.data.replaced
                    ? "Replaced."
                    : "Registered."}
              </span>
            )}
          </div>
        )}
      </Panel>
      {check.error && checked === candidateId && (
        <ErrorNotice error={check.error} what="The code could not be checked" />
      )}
      {register.error && <ErrorNotice error={register.error} what="The transformation was not registered" />}
      {current && key && <TransformCheckResult result={current} to={key.toVersion} />}
      {current?.compiles && current.failed > 0n && !current.unchanged && !justRegistered && (
        <label className="flex items-center gap-2 text-sm text-warn" data-testid="accept-failures">
          <input
            type="checkbox"
            checked={acceptedFailures === candidateId}
            onChange={(e) => setAcceptedFailures(e.target.checked ? candidateId : undefined)}
          />
          Register although {String(current.failed)} of {String(current.checked)} failed: consumers asking for version{" "}
          {key!.toVersion} get a TransformationException for each such fact
        </label>
      )}
      {needsReason && current?.compiles && !justRegistered && (
        <Notice
          tone="warn"
          title={`v${key!.fromVersion} → v${key!.toVersion} is already registered with different code`}
        >
          Registered code is immutable; replacing it keeps the earlier code in its history, with your reason.
          <label className="mt-2 flex items-center gap-2">
            <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Replace it
          </label>
          {force && (
            <>
              <input
                className={`${input} mt-2`}
                placeholder="Why it must be replaced"
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                aria-label="Reason"
              />
              {reason.trim() === "" && (
                <p className="mt-1 text-xs text-danger" data-testid="reason-needed">
                  Give a reason: it is recorded with the replacement.
                </p>
              )}
            </>
          )}
        </Notice>
      )}
      <TryTransformation candidate={candidate} serial={props.serial} />
      {!registered.isError && (registered.data?.history.length ?? 0) > 0 && (
        <Panel title="Earlier revisions" id="history" flush>
          <ul className="text-sm" data-testid="transform-history">
            {registered.data!.history.map((h) => (
              <li key={h.revision} className="border-b border-line px-4 py-2 last:border-b-0">
                <span className="text-xs text-muted">
                  Revision {h.revision}, <Timestamp ms={Number(h.registeredMs)} short />
                  {h.registeredBy && <> by {h.registeredBy}</>}
                  {h.reason && <> — reason: {h.reason}</>}
                </span>
                <pre className="mt-1 overflow-auto rounded bg-surface-2 p-2 font-mono text-xs">
                  {h.code || "(no code)"}
                </pre>
              </li>
            ))}
          </ul>
        </Panel>
      )}
    </div>
  );
}
