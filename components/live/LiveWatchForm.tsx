"use client";
/**
 * What to watch — every FactSpec field: namespaces, types, aggregate ids, meta key=value pairs, meta
 * keys present or absent — and where to start: now, from the beginning, from a serial, from a day.
 * The form edits a draft; Watch writes it to the URL (lib/live-params.ts), which is the only source
 * of the subscription, so a copied link watches exactly the same. Like the fact browser's form
 * (components/facts/FilterForm.tsx), it shows the URL's values as they are, valid or not, so a bad
 * one can be corrected where the error names it.
 */
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { Button } from "@/components/ui/Button";
import { TokenInput } from "@/components/ui/TokenInput";
import { useCatalog } from "@/lib/client/catalog";
import { FROM_BEGINNING, liveHref, parseLiveSearchParams } from "@/lib/live-params";
import { PARAM, type ParamError } from "@/lib/query-params";
import { cx } from "@/lib/view/cx";

type ListField = "ns" | "type" | "aggId" | "meta" | "has" | "lacks";
type StartKind = "now" | "beginning" | "serial" | "date";
interface Draft {
  lists: Record<ListField, string[]>;
  start: StartKind;
  serial: string;
  date: string;
}

const LIST_FIELDS: ListField[] = ["ns", "type", "aggId", "meta", "has", "lacks"];
const NO_PENDING: Record<ListField, string> = { ns: "", type: "", aggId: "", meta: "", has: "", lacks: "" };
const START_LABELS: Record<StartKind, string> = { now: "now", beginning: "from the beginning", serial: "from serial", date: "from day (UTC)" };

function draftOf(sp: URLSearchParams): Draft {
  const all = (name: string) => [...new Set(sp.getAll(name).map((v) => v.trim()).filter(Boolean))];
  const from = sp.get(PARAM.from)?.trim() ?? "";
  const date = sp.get(PARAM.fromDate)?.trim() ?? "";
  const start: StartKind = from.toLowerCase() === FROM_BEGINNING ? "beginning" : from ? "serial" : date ? "date" : "now";
  return { lists: Object.fromEntries(LIST_FIELDS.map((f) => [f, all(PARAM[f])])) as Draft["lists"], start, serial: start === "serial" ? from : "", date };
}

export function LiveWatchForm({ search }: { search: string }) {
  const router = useRouter();
  const initial = useMemo(() => {
    const parsed = parseLiveSearchParams(search);
    return { draft: draftOf(new URLSearchParams(search)), errors: parsed.ok ? [] : parsed.errors };
  }, [search]);
  const [draft, setDraft] = useState(initial.draft);
  const [pending, setPending] = useState(NO_PENDING);
  const [errors, setErrors] = useState<ParamError[]>(initial.errors);
  const catalog = useCatalog();

  const namespaces = useMemo(() => catalog.data?.namespaces.map((n) => n.ns) ?? [], [catalog.data]);
  const types = useMemo(() => {
    const ns = draft.lists.ns;
    const all = catalog.data?.namespaces.filter((n) => ns.length === 0 || ns.includes(n.ns)) ?? [];
    return [...new Set(all.flatMap((n) => n.types.map((t) => t.type)).filter(Boolean))].sort();
  }, [catalog.data, draft.lists.ns]);

  const errorFor = (...names: string[]) => errors.filter((e) => names.includes(e.param)).map((e) => e.message).join(" ") || undefined;
  const listProps = (field: ListField) => ({
    values: draft.lists[field],
    onChange: (values: string[]) => setDraft((d) => ({ ...d, lists: { ...d.lists, [field]: values } })),
    pending: pending[field],
    onPendingChange: (text: string) => setPending((p) => ({ ...p, [field]: text })),
    error: errorFor(PARAM[field]),
  });

  const apply = () => {
    const sp = new URLSearchParams();
    for (const field of LIST_FIELDS) for (const v of [...draft.lists[field], pending[field]]) if (v.trim()) sp.append(PARAM[field], v);
    const missing: ParamError[] = [];
    if (draft.start === "beginning") sp.set(PARAM.from, FROM_BEGINNING);
    if (draft.start === "serial") {
      if (draft.serial.trim()) sp.set(PARAM.from, draft.serial.trim());
      else missing.push({ param: PARAM.from, message: "enter the serial to start from, e.g. 1042" });
    }
    if (draft.start === "date") {
      if (draft.date.trim()) sp.set(PARAM.fromDate, draft.date.trim());
      else missing.push({ param: PARAM.fromDate, message: "pick the day to start from" });
    }
    const parsed = parseLiveSearchParams(sp);
    const found = [...missing, ...(parsed.ok ? [] : parsed.errors)];
    if (!parsed.ok || found.length > 0) return setErrors(found);
    setErrors([]);
    setPending(NO_PENDING);
    router.push(liveHref(parsed.params));
  };

  // The URL's other mistakes (to, order … which the form has no field for) are listed by the page.
  const startError = errorFor(PARAM.from, PARAM.fromDate);
  return (
    <form
      aria-label="What to watch"
      className="rounded-lg border border-line bg-surface p-3"
      onSubmit={(e) => {
        e.preventDefault();
        apply();
      }}
    >
      <div className="grid gap-3 md:grid-cols-2 xl:grid-cols-4">
        <TokenInput id="l-ns" label="Namespaces (any of)" placeholder="all namespaces" suggestions={namespaces} commaSeparates {...listProps("ns")} />
        <TokenInput id="l-type" label="Types (any of)" placeholder="all types" suggestions={types} commaSeparates {...listProps("type")} />
        <TokenInput id="l-agg" label="Aggregate ids (all of)" placeholder="UUID" commaSeparates mono {...listProps("aggId")} />
        <TokenInput id="l-meta" label="Meta key=value (all of)" placeholder="e.g. tenant=acme" mono {...listProps("meta")} />
      </div>
      <div className="mt-3 flex flex-wrap items-start gap-3">
        <div className="w-44">
          <TokenInput id="l-has" label="Meta key present" placeholder="key" commaSeparates mono {...listProps("has")} />
        </div>
        <div className="w-44">
          <TokenInput id="l-lacks" label="Meta key absent" placeholder="key" commaSeparates mono {...listProps("lacks")} />
        </div>
        <fieldset className="min-w-0">
          <legend className="mb-1 text-xs font-medium text-muted">Start</legend>
          <div className="flex items-center gap-1.5">
            <select
              aria-label="Start"
              value={draft.start}
              onChange={(e) => setDraft((d) => ({ ...d, start: e.target.value as StartKind }))}
              className={cx(field, "w-44", startError && "border-danger")}
            >
              {(Object.keys(START_LABELS) as StartKind[]).map((k) => (
                <option key={k} value={k}>{START_LABELS[k]}</option>
              ))}
            </select>
            {draft.start === "serial" && (
              <input
                aria-label="Start serial (inclusive)"
                value={draft.serial}
                onChange={(e) => setDraft((d) => ({ ...d, serial: e.target.value }))}
                placeholder="1042"
                inputMode="numeric"
                className={cx(field, "w-28 font-mono", startError && "border-danger")}
              />
            )}
            {draft.start === "date" && (
              <input
                aria-label="Start day"
                type="date"
                value={draft.date}
                onChange={(e) => setDraft((d) => ({ ...d, date: e.target.value }))}
                className={cx(field, "w-36", startError && "border-danger")}
              />
            )}
          </div>
          {startError && <p className="mt-1 max-w-md text-xs text-danger" data-testid="live-start-error">{startError}</p>}
        </fieldset>
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
          <Button type="submit" variant="primary">Watch</Button>
        </div>
      </div>
    </form>
  );
}

const field = "h-8 rounded-md border border-line bg-surface px-2 text-xs text-fg placeholder:text-subtle focus:border-accent";
