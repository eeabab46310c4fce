"use client";
/**
 * Registering a version: edit the schema (a JSON editor with syntax checking and folding), Check (CheckCandidate:
 * validity, classified diff, dry run over stored facts), then Register to confirm. A check belongs to
 * the exact text it checked; editing anything asks for a new check before Register is allowed.
 */
import Link from "@/components/ui/Link";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { CodeEditor } from "@/components/editor/CodeEditor";
import { Button } from "@/components/ui/Button";
import { ErrorNotice } from "@/components/ui/ErrorNotice";
import { Notice } from "@/components/ui/Notice";
import { PageTitle } from "@/components/ui/PageTitle";
import { Panel } from "@/components/ui/Panel";
import { useAccess } from "@/lib/browser/access";
import { useCheckCandidate, useRegisterSchema } from "@/lib/browser/schemas";
import { offerSchemaChanges } from "@/lib/view/access";
import { jsonSyntaxError } from "@/lib/browser/schemas-json";
import { schemaVersionHref } from "@/lib/browser/schemas-links";
import { CheckResult } from "./CheckResult";

const STARTER = `{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "properties": {
  },
  "required": []
}`;

const input = "h-8 w-full rounded-md border border-line bg-surface px-2 text-sm text-fg";

export function RegisterForm(props: { ns: string; type: string; version: number }) {
  const access = useAccess(props.ns ? [props.ns] : []);
  if (access.data?.known && !offerSchemaChanges(access.data)) {
    const account = access.data.access?.account;
    return (
      <div className="space-y-4">
        <PageTitle
          eyebrow={
            <Link href="/schemas" className="hover:underline">
              Schemas
            </Link>
          }
          title="Register a schema version"
        />
        <Notice tone="warn" title={<span data-testid="no-schema-permission">You cannot register schemas</span>}>
          Account {account ? `“${account}”` : "yours"} has no schemas permission in this store: registering, replacing
          and deleting schemas needs a role with <code>&quot;schemas&quot;</code> in the store&apos;s access file. The{" "}
          <Link href="/schemas/validate">validation playground</Link> checks payloads against registered schemas.
        </Notice>
      </div>
    );
  }
  return <RegisterEditor {...props} mayRegisterIn={(ns) => !access.data || offerSchemaChanges(access.data, ns)} />;
}

function RegisterEditor(props: { ns: string; type: string; version: number; mayRegisterIn(ns: string): boolean }) {
  const router = useRouter();
  const [ns, setNs] = useState(props.ns);
  const [type, setType] = useState(props.type);
  const [version, setVersion] = useState(props.version || 1);
  const [description, setDescription] = useState("");
  const [schema, setSchema] = useState(STARTER);
  const [force, setForce] = useState(false);
  const [reason, setReason] = useState("");
  const syntax = useMemo(() => jsonSyntaxError(schema), [schema]);
  const check = useCheckCandidate();
  const register = useRegisterSchema();
  const candidate = `${ns}\u0000${type}\u0000${version}\u0000${schema}`;
  const [checked, setChecked] = useState<string>();
  const current = checked === candidate && check.data;
  const complete = ns.trim() !== "" && type.trim() !== "" && version >= 1;
  // Said before the user writes a schema for it; the store refuses it anyway.
  const refusedNs = ns.trim() !== "" && !props.mayRegisterIn(ns.trim());

  const runCheck = () => {
    setChecked(candidate);
    register.reset();
    check.mutate({ key: { ns, type, version }, schemaJson: schema });
  };
  const runRegister = () =>
    register.mutate(
      { key: { ns, type, version }, schemaJson: schema, description, force, reason },
      { onSuccess: () => router.push(schemaVersionHref(ns, type, version)) },
    );
  const canRegister =
    !!current && current.schemaValid && !current.unchanged && (!current.exists || (force && reason.trim() !== ""));

  return (
    <div className="space-y-4">
      <PageTitle
        eyebrow={
          <Link href="/schemas" className="hover:underline">
            Schemas
          </Link>
        }
        title="Register a schema version"
      />
      <Panel title="Version" id="key">
        <div className="grid gap-3 sm:grid-cols-[1fr_1fr_8rem]">
          <label className="text-xs text-muted">
            Namespace
            <input className={input} value={ns} onChange={(e) => setNs(e.target.value)} name="ns" />
          </label>
          <label className="text-xs text-muted">
            Type
            <input className={input} value={type} onChange={(e) => setType(e.target.value)} name="type" />
          </label>
          <label className="text-xs text-muted">
            Version
            <input
              className={input}
              type="number"
              min={1}
              value={version}
              onChange={(e) => setVersion(Number(e.target.value))}
              name="version"
            />
          </label>
        </div>
        {refusedNs && (
          <p className="mt-2 text-xs text-danger" data-testid="ns-not-manageable">
            You cannot register schemas in namespace “{ns.trim()}”: the store will refuse it.
          </p>
        )}
        <label className="mt-3 block text-xs text-muted">
          Description
          <input
            className={input}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            name="description"
          />
        </label>
      </Panel>
      <Panel
        title="JSON Schema"
        id="editor"
        aside={
          syntax ? (
            <span className="text-danger" data-testid="syntax-status">
              line {syntax.line}, column {syntax.column}
            </span>
          ) : (
            <span className="text-ok" data-testid="syntax-status">
              valid JSON
            </span>
          )
        }
      >
        <CodeEditor
          value={schema}
          onChange={setSchema}
          language="json"
          label="JSON Schema"
          testId="schema-editor"
          invalid={!!syntax}
          minHeight="22rem"
        />
        {syntax && (
          <p className="mt-2 text-sm text-danger" role="alert" data-testid="syntax-error">
            Line {syntax.line}, column {syntax.column}: {syntax.message}
            <span className="block font-mono text-xs whitespace-pre">
              {schema.split("\n")[syntax.line - 1] ?? ""}
              {"\n"}
              {" ".repeat(Math.max(0, syntax.column - 1))}^
            </span>
          </p>
        )}
        <div className="mt-3 flex flex-wrap items-center gap-2">
          <Button onClick={runCheck} disabled={!!syntax || !complete || check.isPending}>
            {check.isPending ? "Checking…" : "Check"}
          </Button>
          <Button variant="primary" onClick={runRegister} disabled={!canRegister || register.isPending}>
            {register.isPending ? "Registering…" : "Register"}
          </Button>
          {!current && !syntax && complete && (
            <span className="text-xs text-muted">Check the candidate before registering it.</span>
          )}
        </div>
      </Panel>
      {check.error && checked === candidate && (
        <ErrorNotice error={check.error} what="The candidate could not be checked" />
      )}
      {register.error && <ErrorNotice error={register.error} what="The schema was not registered" />}
      {current && (
        <>
          <CheckResult result={current} schema={schema} />
          {current.exists && !current.unchanged && (
            <Notice tone="warn" title={`Version ${version} is already registered with a different schema`}>
              Versions are immutable. Replacing it is recorded with a reason.
              <label className="mt-2 flex items-center gap-2">
                <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Replace it
              </label>
              {force && (
                <input
                  className={`${input} mt-2`}
                  placeholder="Why it must be replaced"
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                  aria-label="Reason"
                />
              )}
            </Notice>
          )}
        </>
      )}
    </div>
  );
}
