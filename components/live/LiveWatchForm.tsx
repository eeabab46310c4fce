"use client";
/**
 * What to watch and where to start, written into the URL (`/live?ns=…&type=…&aggId=…&from=…` or
 * `fromDate=…`; same parameter names as /facts, lib/query-params.ts). Meta filters from the URL
 * are kept as they are.
 */
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { PARAM, parseFactsSearchParams, toFactsSearchParams, type FactsQueryParams } from "@/lib/query-params";

const input = "w-full rounded-md border border-line bg-surface px-2 py-1 text-sm text-fg placeholder:text-subtle";
const split = (s: string) => s.split(",").map((v) => v.trim()).filter(Boolean);

export function LiveWatchForm({ params }: { params: FactsQueryParams }) {
  const router = useRouter();
  const [ns, setNs] = useState(params.namespaces.join(", "));
  const [type, setType] = useState(params.types.join(", "));
  const [aggId, setAggId] = useState(params.aggIds.join(", "));
  const [startKind, setStartKind] = useState(params.fromSerial !== undefined ? "serial" : params.fromDate ? "date" : "now");
  const [serial, setSerial] = useState(params.fromSerial?.toString() ?? "");
  const [date, setDate] = useState(params.fromDate ?? "");
  const [errors, setErrors] = useState<string[]>([]);

  const apply = () => {
    const sp = toFactsSearchParams({ ...params, namespaces: [], types: [], aggIds: [], fromSerial: undefined, fromDate: undefined, toSerial: undefined, toDate: undefined, cursor: undefined, order: "newest" });
    for (const v of split(ns)) sp.append(PARAM.ns, v);
    for (const v of split(type)) sp.append(PARAM.type, v);
    for (const v of split(aggId)) sp.append(PARAM.aggId, v);
    if (startKind === "serial") sp.set(PARAM.from, serial.trim());
    if (startKind === "date") sp.set(PARAM.fromDate, date.trim());
    const parsed = parseFactsSearchParams(sp);
    if (!parsed.ok) return setErrors(parsed.errors.map((e) => e.message));
    setErrors([]);
    const qs = toFactsSearchParams(parsed.params).toString();
    router.push(qs ? `/live?${qs}` : "/live");
  };

  return (
    <form
      aria-label="What to watch"
      className="rounded-lg border border-line bg-surface p-3"
      onSubmit={(e) => {
        e.preventDefault();
        apply();
      }}
    >
      <div className="grid items-end gap-3 md:grid-cols-2 xl:grid-cols-5">
        <label className="text-xs text-muted">
          Namespaces (any of, comma-separated)
          <input id="l-ns" className={input} value={ns} onChange={(e) => setNs(e.target.value)} placeholder="all namespaces" />
        </label>
        <label className="text-xs text-muted">
          Types (any of)
          <input id="l-type" className={input} value={type} onChange={(e) => setType(e.target.value)} placeholder="all types" />
        </label>
        <label className="text-xs text-muted">
          Aggregate ids (all of)
          <input id="l-agg" className={input + " font-mono"} value={aggId} onChange={(e) => setAggId(e.target.value)} placeholder="UUID" />
        </label>
        <fieldset className="text-xs text-muted">
          <legend>Start</legend>
          <div className="flex gap-2">
            <select aria-label="Start" className={input + " w-auto"} value={startKind} onChange={(e) => setStartKind(e.target.value)}>
              <option value="now">now</option>
              <option value="serial">at serial</option>
              <option value="date">on day (UTC)</option>
            </select>
            {startKind === "serial" && <input aria-label="Start serial" className={input} value={serial} onChange={(e) => setSerial(e.target.value)} placeholder="1042" inputMode="numeric" />}
            {startKind === "date" && <input aria-label="Start day" className={input} type="date" value={date} onChange={(e) => setDate(e.target.value)} />}
          </div>
        </fieldset>
        <Button type="submit" variant="primary">Watch</Button>
      </div>
      {errors.length > 0 && (
        <ul role="alert" className="mt-2 text-xs text-danger">
          {errors.map((e) => <li key={e}>{e}</li>)}
        </ul>
      )}
    </form>
  );
}
