"use client";
/**
 * The FactSpec fields both the fact browser's filter form and the live view's watch form edit:
 * namespaces, types, aggregate ids, meta key=value pairs, meta keys present or absent. The state,
 * the catalog's suggestions and the URL they write live here once; each form adds its own range or
 * start fields after them.
 */
import { useMemo, useState, type ReactNode } from "react";
import { TokenInput } from "@/components/ui/TokenInput";
import { useCatalog } from "@/lib/browser/catalog";
import { PARAM } from "@/lib/query-params";

export type SpecField = "ns" | "type" | "aggId" | "meta" | "has" | "lacks";
export type SpecLists = Record<SpecField, string[]>;

const SPEC_FIELDS: SpecField[] = ["ns", "type", "aggId", "meta", "has", "lacks"];
const NO_PENDING: Record<SpecField, string> = { ns: "", type: "", aggId: "", meta: "", has: "", lacks: "" };

/** The URL's values as they are (trimmed, each once), valid or not, so a bad one can be corrected. */
export function specListsOf(sp: URLSearchParams): SpecLists {
  const all = (name: string) => [
    ...new Set(
      sp
        .getAll(name)
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ];
  return Object.fromEntries(SPEC_FIELDS.map((f) => [f, all(PARAM[f])])) as SpecLists;
}

export type SpecFields = ReturnType<typeof useSpecFields>;

/** `errorFor` names the URL parameters whose errors a field shows. */
export function useSpecFields(initial: SpecLists, errorFor: (...params: string[]) => string | undefined) {
  const [lists, setLists] = useState(initial);
  const [pending, setPending] = useState(NO_PENDING);
  const catalog = useCatalog();
  const namespaces = useMemo(() => catalog.data?.namespaces.map((n) => n.ns) ?? [], [catalog.data]);
  const types = useMemo(() => {
    const all = catalog.data?.namespaces.filter((n) => lists.ns.length === 0 || lists.ns.includes(n.ns)) ?? [];
    return [...new Set(all.flatMap((n) => n.types.map((t) => t.type)).filter(Boolean))].sort();
  }, [catalog.data, lists.ns]);

  return {
    namespaces,
    types,
    props: (field: SpecField) => ({
      values: lists[field],
      onChange: (values: string[]) => setLists((l) => ({ ...l, [field]: values })),
      pending: pending[field],
      onPendingChange: (text: string) => setPending((p) => ({ ...p, [field]: text })),
      error: errorFor(PARAM[field]),
    }),
    /** A field's values, including text typed but not yet turned into a token. */
    valuesOf: (field: SpecField): string[] => [
      ...new Set([...lists[field], pending[field]].map((v) => v.trim()).filter(Boolean)),
    ],
    /** Writes every value into `sp`, including text typed but not yet turned into a token. */
    appendTo(sp: URLSearchParams): void {
      for (const field of SPEC_FIELDS)
        for (const v of [...lists[field], pending[field]]) if (v.trim()) sp.append(PARAM[field], v);
    },
    clear(): void {
      setLists(specListsOf(new URLSearchParams()));
      setPending(NO_PENDING);
    },
    clearPending: () => setPending(NO_PENDING),
  };
}

/** The six inputs; `children` continue the second row (the form's own fields and buttons). */
export function FactSpecFields({
  idPrefix,
  spec,
  children,
}: {
  idPrefix: string;
  spec: SpecFields;
  children?: ReactNode;
}) {
  const { namespaces, types, props } = spec;
  return (
    <>
      <div className="grid gap-3 md:grid-cols-2 xl:grid-cols-4">
        <TokenInput
          id={`${idPrefix}-ns`}
          label="Namespaces (any of)"
          placeholder="all namespaces"
          suggestions={namespaces}
          commaSeparates
          {...props("ns")}
        />
        <TokenInput
          id={`${idPrefix}-type`}
          label="Types (any of)"
          placeholder="all types"
          suggestions={types}
          commaSeparates
          {...props("type")}
        />
        <TokenInput
          id={`${idPrefix}-agg`}
          label="Aggregate ids (all of)"
          placeholder="UUID"
          commaSeparates
          mono
          {...props("aggId")}
        />
        <TokenInput
          id={`${idPrefix}-meta`}
          label="Meta key=value (all of)"
          placeholder="e.g. tenant=acme"
          mono
          {...props("meta")}
        />
      </div>
      <div className="mt-3 flex flex-wrap items-start gap-3">
        <div className="w-44">
          <TokenInput
            id={`${idPrefix}-has`}
            label="Meta key present"
            placeholder="key"
            commaSeparates
            mono
            {...props("has")}
          />
        </div>
        <div className="w-44">
          <TokenInput
            id={`${idPrefix}-lacks`}
            label="Meta key absent"
            placeholder="key"
            commaSeparates
            mono
            {...props("lacks")}
          />
        </div>
        {children}
      </div>
    </>
  );
}
