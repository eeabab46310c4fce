"use client";
/**
 * A JSON document (a fact's payload or header) with a tree view and a raw view, copy and
 * download. Text that is not valid JSON is shown raw with the reason.
 */
import { useMemo, useState } from "react";
import { CopyButton } from "@/components/ui/CopyButton";
import { Notice } from "@/components/ui/Notice";
import { buttonClass } from "@/components/ui/Button";
import { JsonDocument } from "@/lib/view/json-tree";
import { cx } from "@/lib/view/cx";
import { JsonTree } from "./JsonTree";
import { RawJson } from "./RawJson";

export function JsonViewer(props: {
  text: string;
  label: string;
  title: string;
  pathRoot?: string;
  downloadName?: string;
  aside?: React.ReactNode;
}) {
  const doc = useMemo(() => new JsonDocument(props.text), [props.text]);
  const [mode, setMode] = useState<"tree" | "raw">(doc.error ? "raw" : "tree");
  const download = () => {
    const url = URL.createObjectURL(new Blob([props.text], { type: "application/json" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = props.downloadName ?? `${props.label}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return (
    <section className="rounded-lg border border-line bg-surface" aria-label={props.title}>
      <header className="flex flex-wrap items-center gap-2 border-b border-line px-3 py-2">
        <h2 className="mr-2 text-sm font-semibold text-fg">{props.title}</h2>
        <div
          role="tablist"
          aria-label={`${props.title} view`}
          className="inline-flex h-7 overflow-hidden rounded-md border border-line text-xs"
        >
          {(["tree", "raw"] as const).map((m) => (
            <button
              key={m}
              type="button"
              role="tab"
              aria-selected={mode === m}
              disabled={m === "tree" && !!doc.error}
              onClick={() => setMode(m)}
              className={cx(
                "px-2.5 font-medium disabled:opacity-50",
                mode === m
                  ? "bg-accent-soft text-accent-soft-fg"
                  : "bg-surface text-muted hover:bg-surface-2 hover:text-fg",
              )}
            >
              {m === "tree" ? "Tree" : "Raw"}
            </button>
          ))}
        </div>
        {props.aside}
        <span className="ml-auto flex gap-1.5">
          <CopyButton text={props.text} label="Copy all" title={`Copy the whole ${props.label} exactly as stored`} />
          <button type="button" className={buttonClass("secondary", "sm")} onClick={download}>
            Download
          </button>
        </span>
      </header>
      {doc.error && (
        <Notice tone="warn" className="m-3">
          This {props.label} is not valid JSON ({doc.error.message}); it is shown as stored.
        </Notice>
      )}
      {mode === "tree" && !doc.error ? (
        <JsonTree doc={doc} pathRoot={props.pathRoot ?? "$"} label={props.label} />
      ) : (
        <RawJson text={props.text} label={props.label} />
      )}
    </section>
  );
}
