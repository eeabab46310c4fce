"use client";
/**
 * The fact browser's filters. The form edits a draft; Apply writes it to the URL, and the URL is
 * the only source of the query (lib/query-params.ts validates it, names the field at fault, and
 * gives the canonical form), so a copied link reproduces exactly what is on screen.
 */
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { Button } from "@/components/ui/Button";
import { TokenInput } from "@/components/ui/TokenInput";
import { useCatalog } from "@/lib/client/catalog";
import { PARAM, parseFactsSearchParams, toFactsSearchParams, type ParamError } from "@/lib/query-params";
import { cx } from "@/lib/view/cx";

type ListField = "ns" | "type" | "aggId" | "meta" | "has" | "lacks";
type TextField = "from" | "to" | "fromDate" | "toDate";
type Draft = Record<ListField, string[]> & Record<TextField, string>;

/** The form shows the URL's values as they are, valid or not, so a bad one can be corrected. */
function draftOf(sp: URLSearchParams): Draft {
  const all = (name: string) => [...new Set(sp.getAll(name).map((v) => v.trim()).filter(Boolean))];
  const one = (name: string) => sp.get(name)?.trim() ?? "";
  return {
    ns: all(PARAM.ns),
    type: all(PARAM.type),
    aggId: all(PARAM.aggId),
    meta: all(PARAM.meta),
    has: all(PARAM.has),
    lacks: all(PARAM.lacks),
    from: one(PARAM.from),
    to: one(PARAM.to),
    fromDate: one(PARAM.fromDate),
    toDate: one(PARAM.toDate),
  };
}

const NO_PENDING: Record<ListField, string> = { ns: "", type: "", aggId: "", meta: "", has: "", lacks: "" };

export function FilterForm({ search }: { search: string }) {
  const router = useRouter();
  const initial = useMemo(() => {
    const parsed = parseFactsSearchParams(search);
    const order = new URLSearchParams(search).get(PARAM.order) === "oldest" ? "oldest" : "newest";
    return { draft: draftOf(new URLSearchParams(search)), errors: parsed.ok ? [] : parsed.errors, order };
  }, [search]);
  const [draft, setDraft] = useState(initial.draft);
  const [pending, setPending] = useState(NO_PENDING);
  const [errors, setErrors] = useState<ParamError[]>(initial.errors);
  const catalog = useCatalog();

  const namespaces = useMemo(() => catalog.data?.namespaces.map((n) => n.ns) ?? [], [catalog.data]);
  const types = useMemo(() => {
    const all = catalog.data?.namespaces.filter((n) => draft.ns.length === 0 || draft.ns.includes(n.ns)) ?? [];
    return [...new Set(all.flatMap((n) => n.types.map((t) => t.type)).filter(Boolean))].sort();
  }, [catalog.data, draft.ns]);

  const errorFor = (...names: string[]) => errors.filter((e) => names.includes(e.param)).map((e) => e.message).join(" ") || undefined;
  const setList = (field: ListField) => (values: string[]) => setDraft((d) => ({ ...d, [field]: values }));
  const setText = (field: TextField) => (value: string) => setDraft((d) => ({ ...d, [field]: value }));
  const listProps = (field: ListField) => ({
    values: draft[field],
    onChange: setList(field),
    pending: pending[field],
    onPendingChange: (text: string) => setPending((p) => ({ ...p, [field]: text })),
    error: errorFor(PARAM[field]),
  });

  const apply = () => {
    const sp = new URLSearchParams();
    for (const field of Object.keys(NO_PENDING) as ListField[]) {
      for (const v of [...draft[field], pending[field]]) if (v.trim()) sp.append(PARAM[field], v);
    }
    for (const field of ["from", "to", "fromDate", "toDate"] as TextField[]) if (draft[field].trim()) sp.set(PARAM[field], draft[field].trim());
    if (initial.order !== "newest") sp.set(PARAM.order, initial.order);
    const parsed = parseFactsSearchParams(sp);
    if (!parsed.ok) return setErrors(parsed.errors);
    setErrors([]);
    // A new query starts at the range's end again: the old cursor belonged to the old query.
    const qs = toFactsSearchParams({ ...parsed.params, cursor: undefined }).toString();
    router.push(qs ? `/facts?${qs}` : "/facts");
  };

  return (
    <form
      aria-label="Filter facts"
      className="rounded-lg border border-line bg-surface p-3"
      onSubmit={(e) => {
        e.preventDefault();
        apply();
      }}
    >
      <div className="grid gap-3 md:grid-cols-2 xl:grid-cols-4">
        <TokenInput id="f-ns" label="Namespaces (any of)" placeholder="all namespaces" suggestions={namespaces} commaSeparates {...listProps("ns")} />
        <TokenInput id="f-type" label="Types (any of)" placeholder="all types" suggestions={types} commaSeparates {...listProps("type")} />
        <TokenInput id="f-agg" label="Aggregate ids (all of)" placeholder="UUID" commaSeparates mono {...listProps("aggId")} />
        <TokenInput id="f-meta" label="Meta key=value (all of)" placeholder="e.g. tenant=acme" mono {...listProps("meta")} />
      </div>
      <div className="mt-3 flex flex-wrap items-start gap-3">
        <div className="w-44">
          <TokenInput id="f-has" label="Meta key present" placeholder="key" commaSeparates mono {...listProps("has")} />
        </div>
        <div className="w-44">
          <TokenInput id="f-lacks" label="Meta key absent" placeholder="key" commaSeparates mono {...listProps("lacks")} />
        </div>
        <RangeField legend="Serials (inclusive)" error={errorFor(PARAM.from, PARAM.to)}>
          <TextInput id="f-from" label="from serial" value={draft.from} onChange={setText("from")} placeholder="first" inputMode="numeric" />
          <span className="text-subtle">–</span>
          <TextInput id="f-to" label="to serial" value={draft.to} onChange={setText("to")} placeholder="latest" inputMode="numeric" />
        </RangeField>
        <RangeField legend="Published (UTC days, inclusive)" error={errorFor(PARAM.fromDate, PARAM.toDate)}>
          <TextInput id="f-from-date" label="from day" type="date" value={draft.fromDate} onChange={setText("fromDate")} />
          <span className="text-subtle">–</span>
          <TextInput id="f-to-date" label="to day" type="date" value={draft.toDate} onChange={setText("toDate")} />
        </RangeField>
        <div className="ml-auto flex gap-2 self-end">
          <Button
            variant="ghost"
            onClick={() => {
              setDraft(draftOf(new URLSearchParams()));
              setPending(NO_PENDING);
              setErrors([]);
            }}
          >
            Clear
          </Button>
          <Button type="submit" variant="primary">
            Apply filters
          </Button>
        </div>
      </div>
      {errors.some((e) => e.param === PARAM.order || e.param === PARAM.cursor) && (
        <p className="mt-2 text-xs text-danger">{errorFor(PARAM.order, PARAM.cursor)}</p>
      )}
    </form>
  );
}

function RangeField(props: { legend: string; error?: string; children: React.ReactNode }) {
  return (
    <fieldset className="min-w-0">
      <legend className="mb-1 text-xs font-medium text-muted">{props.legend}</legend>
      <div className="flex items-center gap-1.5">{props.children}</div>
      {props.error && <p className="mt-1 max-w-md text-xs text-danger">{props.error}</p>}
    </fieldset>
  );
}

function TextInput(props: {
  id: string;
  label: string;
  value: string;
  onChange(v: string): void;
  placeholder?: string;
  type?: "text" | "date";
  inputMode?: "numeric";
}) {
  return (
    <>
      <label htmlFor={props.id} className="sr-only">
        {props.label}
      </label>
      <input
        id={props.id}
        type={props.type ?? "text"}
        value={props.value}
        inputMode={props.inputMode}
        placeholder={props.placeholder}
        onChange={(e) => props.onChange(e.target.value)}
        className={cx("h-8 rounded-md border border-line bg-surface px-2 text-xs text-fg placeholder:text-subtle focus:border-accent", props.type === "date" ? "w-36" : "w-28 font-mono")}
      />
    </>
  );
}
