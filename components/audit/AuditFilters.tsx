"use client";
/**
 * The audit log's filters. The form edits a draft; Apply writes it to the URL, which alone holds
 * the query (lib/audit-params.ts checks it with the CLI's rules and names the field at fault), and
 * starts again at the newest entry.
 */
import { useRouter } from "next/navigation";
import { useId, useMemo, useState } from "react";
import { Button } from "@/components/ui/Button";
import type { AuditFilterInput } from "@/factcast/audit-filter";
import { auditHref, parseAuditSearchParams, toAuditSearchParams } from "@/lib/audit-params";
import { useCatalog } from "@/lib/browser/catalog";
import type { ParamError } from "@/lib/query-params";
import { cx } from "@/lib/view/cx";

/** The actions the store records (README "The audit log"); a prefix with * matches a family. */
const ACTIONS = [
  "schema.*",
  "schema.register",
  "schema.replace",
  "schema.delete",
  "schema.import",
  "access.denied",
  "auth.failed",
  "console.*",
  "console.sign-in",
  "console.sign-out",
];

type Field = keyof AuditFilterInput;
const FIELDS: Field[] = ["account", "action", "ns", "from", "to"];

export function AuditFilters({ search }: { search: string }) {
  const router = useRouter();
  const initial = useMemo(() => {
    const sp = new URLSearchParams(search);
    const parsed = parseAuditSearchParams(sp);
    const draft = Object.fromEntries(FIELDS.map((f) => [f, sp.get(f)?.trim() ?? ""])) as Record<Field, string>;
    return { draft, errors: parsed.ok ? [] : parsed.errors };
  }, [search]);
  const [draft, setDraft] = useState(initial.draft);
  const [errors, setErrors] = useState<ParamError[]>(initial.errors);
  const catalog = useCatalog();
  const namespaces = catalog.data?.namespaces.map((n) => n.ns) ?? [];
  const listId = useId();
  const errorFor = (f: Field) =>
    errors
      .filter((e) => e.param === f)
      .map((e) => e.message)
      .join(" ") || undefined;
  const set = (f: Field) => (v: string) => setDraft((d) => ({ ...d, [f]: v }));

  const apply = () => {
    const sp = toAuditSearchParams(draft);
    const parsed = parseAuditSearchParams(sp);
    if (!parsed.ok) return setErrors(parsed.errors);
    setErrors([]);
    router.push(auditHref(parsed.params.input));
  };

  return (
    <form
      aria-label="Filter the audit log"
      className="rounded-lg border border-line bg-surface p-3"
      onSubmit={(e) => {
        e.preventDefault();
        apply();
      }}
    >
      <div className="grid gap-3 md:grid-cols-3 xl:grid-cols-[1fr_1fr_1fr_12rem_12rem_auto]">
        <Text
          id="a-account"
          label="Account"
          value={draft.account}
          onChange={set("account")}
          error={errorFor("account")}
        >
          exact, or a prefix ending in *
        </Text>
        <Text
          id="a-action"
          label="Action"
          value={draft.action}
          onChange={set("action")}
          error={errorFor("action")}
          list={`${listId}-actions`}
        >
          e.g. schema.* or console.sign-in
        </Text>
        <Text
          id="a-ns"
          label="Namespace"
          value={draft.ns}
          onChange={set("ns")}
          error={errorFor("ns")}
          list={`${listId}-ns`}
        >
          exact, or a prefix ending in *
        </Text>
        <Text id="a-from" label="From" value={draft.from} onChange={set("from")} error={errorFor("from")} mono>
          UTC day or ISO time with zone
        </Text>
        <Text id="a-to" label="To" value={draft.to} onChange={set("to")} error={errorFor("to")} mono>
          a day includes its whole day
        </Text>
        <div className="flex items-start gap-2 pt-5">
          <Button
            variant="ghost"
            onClick={() => {
              setDraft(Object.fromEntries(FIELDS.map((f) => [f, ""])) as Record<Field, string>);
              setErrors([]);
            }}
          >
            Clear
          </Button>
          <Button type="submit" variant="primary">
            Apply
          </Button>
        </div>
      </div>
      {errors.some((e) => !FIELDS.includes(e.param as Field)) && (
        <p className="mt-2 text-xs text-danger">
          {errors
            .filter((e) => !FIELDS.includes(e.param as Field))
            .map((e) => e.message)
            .join(" ")}
        </p>
      )}
      <datalist id={`${listId}-actions`}>
        {ACTIONS.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      <datalist id={`${listId}-ns`}>
        {namespaces.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
    </form>
  );
}

function Text(props: {
  id: string;
  label: string;
  value: string;
  onChange(v: string): void;
  error?: string;
  list?: string;
  mono?: boolean;
  children: string;
}) {
  const hint = `${props.id}-hint`;
  return (
    <div className="min-w-0">
      <label htmlFor={props.id} className="mb-1 block text-xs font-medium text-muted">
        {props.label}
      </label>
      <input
        id={props.id}
        name={props.id.slice(2)}
        value={props.value}
        list={props.list}
        autoComplete="off"
        spellCheck={false}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={hint}
        onChange={(e) => props.onChange(e.target.value)}
        className={cx(
          "h-8 w-full rounded-md border bg-surface px-2 text-xs text-fg placeholder:text-subtle",
          props.error ? "border-danger" : "border-line focus:border-accent",
          props.mono && "font-mono",
        )}
      />
      <p id={hint} className={cx("mt-1 text-[11px]", props.error ? "text-danger" : "text-subtle")}>
        {props.error ?? props.children}
      </p>
    </div>
  );
}
