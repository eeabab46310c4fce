"use client";
/**
 * The validation playground: paste a payload or load a stored fact by serial, choose a schema
 * version, and see the errors at their JSON pointers, highlighted in the payload.
 */
import { callUnaryMethod, useTransport } from "@connectrpc/connect-query";
import Link from "@/components/ui/Link";
import { useEffect, useEffectEvent, useMemo, useRef, useState } from "react";
import { CodeEditor } from "@/components/editor/CodeEditor";
import { Button } from "@/components/ui/Button";
import { ErrorNotice } from "@/components/ui/ErrorNotice";
import { Notice } from "@/components/ui/Notice";
import { PageTitle } from "@/components/ui/PageTitle";
import { Panel } from "@/components/ui/Panel";
import { ConsoleService } from "@/gen/factline/console/v1/console_pb";
import { useValidatePayload } from "@/lib/browser/schemas";
import { jsonSyntaxError } from "@/lib/browser/schemas-json";
import { schemaVersionHref } from "@/lib/browser/schemas-links";
import { factHref } from "@/lib/view/links";
import { HighlightedJson } from "./HighlightedJson";
import { ValidationErrors } from "./ValidationErrors";

const input = "h-8 w-full rounded-md border border-line bg-surface px-2 text-sm text-fg";

export function Playground(props: { ns: string; type: string; version: number; serial: string }) {
  const transport = useTransport();
  const [ns, setNs] = useState(props.ns);
  const [type, setType] = useState(props.type);
  const [version, setVersion] = useState(props.version || 1);
  const [serial, setSerial] = useState(props.serial);
  const [payload, setPayload] = useState("{\n}");
  const [loadError, setLoadError] = useState<unknown>();
  const [loaded, setLoaded] = useState<string>();
  const syntax = useMemo(() => jsonSyntaxError(payload), [payload]);
  const validate = useValidatePayload();
  const [validated, setValidated] = useState<string>();
  const current = validated === `${ns}\u0000${type}\u0000${version}\u0000${payload}` ? validate.data : undefined;

  const loadFact = async () => {
    setLoadError(undefined);
    try {
      const res = await callUnaryMethod(transport, ConsoleService.method.getFact, {
        key: { case: "serial", value: BigInt(serial) },
      });
      const f = res.fact!;
      if (f.payloadTruncated) throw new Error(`fact ${serial}'s payload is too large to load here`);
      setNs(f.ns);
      setType(f.type);
      if (f.version > 0) setVersion(f.version);
      setPayload(JSON.stringify(JSON.parse(f.payloadJson), null, 2));
      setLoaded(serial);
    } catch (err) {
      setLoadError(err);
    }
  };
  // A link with ?serial= (e.g. from a fact page) means "this fact": load it once on arrival.
  const autoLoaded = useRef(false);
  const loadLinkedFact = useEffectEvent(() => {
    if (props.serial && !autoLoaded.current) {
      autoLoaded.current = true;
      void loadFact();
    }
  });
  useEffect(() => loadLinkedFact(), []);
  const run = () => {
    setValidated(`${ns}\u0000${type}\u0000${version}\u0000${payload}`);
    validate.mutate({ key: { ns, type, version }, payloadJson: payload });
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    parsed = undefined;
  }

  return (
    <div className="space-y-4">
      <PageTitle
        eyebrow={
          <Link href="/schemas" className="hover:underline">
            Schemas
          </Link>
        }
        title="Validation playground"
      />
      <Panel title="Schema version" id="version">
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
        {ns && type && version > 0 && (
          <Link
            href={schemaVersionHref(ns, type, version)}
            className="mt-2 inline-block text-xs text-accent hover:underline"
          >
            Show this schema
          </Link>
        )}
      </Panel>
      <Panel
        title="Payload"
        id="payload"
        aside={
          <form
            className="flex items-center gap-1"
            onSubmit={(e) => {
              e.preventDefault();
              void loadFact();
            }}
          >
            <input
              className="h-7 w-28 rounded border border-line bg-surface px-2 text-xs text-fg"
              placeholder="fact serial"
              inputMode="numeric"
              value={serial}
              onChange={(e) => setSerial(e.target.value.replace(/\D/g, ""))}
              aria-label="Fact serial"
            />
            <Button size="sm" type="submit" disabled={!serial}>
              Load fact
            </Button>
          </form>
        }
      >
        {loadError !== undefined && (
          <ErrorNotice className="mb-2" error={loadError} what={`Fact ${serial} could not be loaded`} />
        )}
        {loaded && (
          <p className="mb-2 text-xs text-muted">
            Payload of{" "}
            <Link href={factHref(loaded)} className="text-accent hover:underline">
              fact {loaded}
            </Link>
            .
          </p>
        )}
        <CodeEditor
          value={payload}
          onChange={setPayload}
          language="json"
          label="Payload"
          testId="payload-editor"
          invalid={!!syntax}
          minHeight="15rem"
        />
        {syntax && (
          <p className="mt-1 text-sm text-danger" role="alert">
            Line {syntax.line}, column {syntax.column}: {syntax.message}
          </p>
        )}
        <Button
          className="mt-2"
          variant="primary"
          onClick={run}
          disabled={!!syntax || !ns || !type || version < 1 || validate.isPending}
        >
          Validate
        </Button>
      </Panel>
      {validate.error && <ErrorNotice error={validate.error} what="The payload could not be validated" />}
      {current && current.valid && <Notice tone="ok" title={`Valid against ${ns} / ${type} v${version}`} />}
      {current && !current.valid && (
        <Panel title={`${current.errors.length} validation error${current.errors.length === 1 ? "" : "s"}`} id="errors">
          <ValidationErrors errors={current.errors} />
          {parsed !== undefined && (
            <div className="mt-3">
              <HighlightedJson
                value={parsed}
                pointers={current.errors.map((e) => e.pointer)}
                testId="highlighted-payload"
              />
            </div>
          )}
        </Panel>
      )}
    </div>
  );
}
