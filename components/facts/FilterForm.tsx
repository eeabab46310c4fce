"use client";
/**
 * The fact browser's filters. The form edits a draft; Apply writes it to the URL, and the URL is
 * the only source of the query (lib/query-params.ts validates it, names the field at fault, and
 * gives the canonical form), so a copied link reproduces exactly what is on screen.
 */
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { FactSpecFields, specListsOf, useSpecFields } from "@/components/facts/FactSpecFields";
import { AsVersionField } from "@/components/facts/AsVersionField";
import { Button } from "@/components/ui/Button";
import { PARAM, parseFactsSearchParams, toFactsSearchParams, type ParamError } from "@/lib/query-params";
import { cx } from "@/lib/view/cx";

type TextField = "from" | "to" | "fromDate" | "toDate" | "asVersion";
type Range = Record<TextField, string>;

function rangeOf(sp: URLSearchParams): Range {
  const one = (name: string) => sp.get(name)?.trim() ?? "";
  return {
    from: one(PARAM.from),
    to: one(PARAM.to),
    fromDate: one(PARAM.fromDate),
    toDate: one(PARAM.toDate),
    asVersion: one(PARAM.asVersion),
  };
}

export function FilterForm({ search }: { search: string }) {
  const router = useRouter();
  const initial = useMemo(() => {
    const sp = new URLSearchParams(search);
    const parsed = parseFactsSearchParams(search);
    const order = sp.get(PARAM.order) === "oldest" ? "oldest" : "newest";
    return { lists: specListsOf(sp), range: rangeOf(sp), errors: parsed.ok ? [] : parsed.errors, order };
  }, [search]);
  const [range, setRange] = useState(initial.range);
  const [errors, setErrors] = useState<ParamError[]>(initial.errors);
  const errorFor = (...names: string[]) =>
    errors
      .filter((e) => names.includes(e.param))
      .map((e) => e.message)
      .join(" ") || undefined;
  const spec = useSpecFields(initial.lists, errorFor);
  const setText = (field: TextField) => (value: string) => setRange((r) => ({ ...r, [field]: value }));

  const apply = () => {
    const sp = new URLSearchParams();
    spec.appendTo(sp);
    for (const field of ["from", "to", "fromDate", "toDate", "asVersion"] as TextField[])
      if (range[field].trim()) sp.set(PARAM[field], range[field].trim());
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
      <FactSpecFields idPrefix="f" spec={spec}>
        <RangeField legend="Serials (inclusive)" error={errorFor(PARAM.from, PARAM.to)}>
          <TextInput
            id="f-from"
            label="from serial"
            value={range.from}
            onChange={setText("from")}
            placeholder="first"
            inputMode="numeric"
          />
          <span className="text-subtle">–</span>
          <TextInput
            id="f-to"
            label="to serial"
            value={range.to}
            onChange={setText("to")}
            placeholder="latest"
            inputMode="numeric"
          />
        </RangeField>
        <RangeField legend="Published (UTC days, inclusive)" error={errorFor(PARAM.fromDate, PARAM.toDate)}>
          <TextInput
            id="f-from-date"
            label="from day"
            type="date"
            value={range.fromDate}
            onChange={setText("fromDate")}
          />
          <span className="text-subtle">–</span>
          <TextInput id="f-to-date" label="to day" type="date" value={range.toDate} onChange={setText("toDate")} />
        </RangeField>
        <AsVersionField
          id="f-as-version"
          value={range.asVersion}
          onChange={setText("asVersion")}
          namespaces={spec.valuesOf("ns")}
          types={spec.valuesOf("type")}
          error={errorFor(PARAM.asVersion)}
        />
        <div className="ml-auto flex gap-2 self-end">
          <Button
            variant="ghost"
            onClick={() => {
              spec.clear();
              setRange(rangeOf(new URLSearchParams()));
              setErrors([]);
            }}
          >
            Clear
          </Button>
          <Button type="submit" variant="primary">
            Apply filters
          </Button>
        </div>
      </FactSpecFields>
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
        className={cx(
          "h-8 rounded-md border border-line bg-surface px-2 text-xs text-fg placeholder:text-subtle focus:border-accent",
          props.type === "date" ? "w-36" : "w-28 font-mono",
        )}
      />
    </>
  );
}
