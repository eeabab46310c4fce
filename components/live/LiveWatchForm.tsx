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
import { FactSpecFields, specListsOf, useSpecFields } from "@/components/facts/FactSpecFields";
import { AsVersionField } from "@/components/facts/AsVersionField";
import { Button } from "@/components/ui/Button";
import { FROM_BEGINNING, liveHref, parseLiveSearchParams } from "@/lib/live-params";
import { PARAM, type ParamError } from "@/lib/query-params";
import { cx } from "@/lib/view/cx";

type StartKind = "now" | "beginning" | "serial" | "date";
interface Start {
  start: StartKind;
  serial: string;
  date: string;
}

const START_LABELS: Record<StartKind, string> = {
  now: "now",
  beginning: "from the beginning",
  serial: "from serial",
  date: "from day (UTC)",
};

function startOf(sp: URLSearchParams): Start {
  const from = sp.get(PARAM.from)?.trim() ?? "";
  const date = sp.get(PARAM.fromDate)?.trim() ?? "";
  const start: StartKind =
    from.toLowerCase() === FROM_BEGINNING ? "beginning" : from ? "serial" : date ? "date" : "now";
  return { start, serial: start === "serial" ? from : "", date };
}

export function LiveWatchForm({ search }: { search: string }) {
  const router = useRouter();
  const initial = useMemo(() => {
    const sp = new URLSearchParams(search);
    const parsed = parseLiveSearchParams(search);
    return {
      lists: specListsOf(sp),
      start: startOf(sp),
      asVersion: sp.get(PARAM.asVersion)?.trim() ?? "",
      errors: parsed.ok ? [] : parsed.errors,
    };
  }, [search]);
  const [draft, setDraft] = useState(initial.start);
  const [asVersion, setAsVersion] = useState(initial.asVersion);
  const [errors, setErrors] = useState<ParamError[]>(initial.errors);
  const errorFor = (...names: string[]) =>
    errors
      .filter((e) => names.includes(e.param))
      .map((e) => e.message)
      .join(" ") || undefined;
  const spec = useSpecFields(initial.lists, errorFor);

  const apply = () => {
    const sp = new URLSearchParams();
    spec.appendTo(sp);
    if (asVersion.trim()) sp.set(PARAM.asVersion, asVersion.trim());
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
    spec.clearPending();
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
      <FactSpecFields idPrefix="l" spec={spec}>
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
                <option key={k} value={k}>
                  {START_LABELS[k]}
                </option>
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
          {startError && (
            <p className="mt-1 max-w-md text-xs text-danger" data-testid="live-start-error">
              {startError}
            </p>
          )}
        </fieldset>
        <AsVersionField
          id="l-as-version"
          value={asVersion}
          onChange={setAsVersion}
          namespaces={spec.valuesOf("ns")}
          types={spec.valuesOf("type")}
          error={errorFor(PARAM.asVersion)}
        />
        <div className="ml-auto flex gap-2 self-end">
          <Button
            variant="ghost"
            onClick={() => {
              spec.clear();
              setAsVersion("");
              setDraft(startOf(new URLSearchParams()));
              setErrors([]);
            }}
          >
            Clear
          </Button>
          <Button type="submit" variant="primary">
            Watch
          </Button>
        </div>
      </FactSpecFields>
    </form>
  );
}

const field =
  "h-8 rounded-md border border-line bg-surface px-2 text-xs text-fg placeholder:text-subtle focus:border-accent";
