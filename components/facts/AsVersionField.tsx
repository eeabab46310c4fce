"use client";
/**
 * "As version N" for the fact browser's and the live view's forms: FactCast's FactSpec.version, so
 * the store delivers the facts of one type transformed into that version. It needs exactly one
 * namespace and one type (lib/query-params.ts, `asVersion`); until the form has them the field says
 * so instead of taking a number. Suggests the type's registered versions and those with facts.
 */
import { useId } from "react";
import { useCatalog } from "@/lib/browser/catalog";
import { useQuery } from "@connectrpc/connect-query";
import { SchemaService } from "@/gen/factline/console/v1/schemas_pb";
import { cx } from "@/lib/view/cx";

export function AsVersionField(props: {
  id: string;
  value: string;
  onChange(value: string): void;
  /** The form's namespaces and types as typed so far. */
  namespaces: string[];
  types: string[];
  error?: string;
}) {
  const listId = useId();
  const ns = props.namespaces.length === 1 && props.namespaces[0] !== "*" ? props.namespaces[0] : undefined;
  const type = props.types.length === 1 ? props.types[0] : undefined;
  const single = ns !== undefined && type !== undefined;
  const catalog = useCatalog(ns ?? "");
  // Disabled until one type is chosen; a store without a registry answers with an error, ignored here.
  const schemas = useQuery(SchemaService.method.listSchemas, single ? { ns, type } : undefined, { retry: false });
  const known = single
    ? [
        ...new Set([
          ...(catalog.data?.namespaces
            .find((n) => n.ns === ns)
            ?.types.find((t) => t.type === type)
            ?.versions.map((v) => v.version) ?? []),
          ...(schemas.data?.schemas.filter((s) => s.key?.type === type).map((s) => s.key!.version) ?? []),
        ]),
      ].sort((a, b) => a - b)
    : [];
  return (
    <fieldset className="min-w-0">
      <legend className="mb-1 text-xs font-medium text-muted">As version</legend>
      <label htmlFor={props.id} className="sr-only">
        As version (one namespace and one type)
      </label>
      <input
        id={props.id}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        disabled={!single && props.value === ""}
        placeholder={single ? "as published" : "one ns + type"}
        inputMode="numeric"
        list={known.length > 0 ? listId : undefined}
        aria-invalid={!!props.error}
        data-testid="as-version-input"
        className={cx(
          "h-8 w-32 rounded-md border border-line bg-surface px-2 font-mono text-xs text-fg placeholder:font-sans placeholder:text-subtle focus:border-accent disabled:opacity-60",
          props.error && "border-danger",
        )}
      />
      {known.length > 0 && (
        <datalist id={listId}>
          {known.map((v) => (
            <option key={v} value={v} />
          ))}
        </datalist>
      )}
      {props.error && (
        <p className="mt-1 max-w-xs text-xs text-danger" data-testid="as-version-field-error">
          {props.error}
        </p>
      )}
    </fieldset>
  );
}
