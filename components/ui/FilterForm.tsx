"use client";
/**
 * The pieces every list filter form shares (components/audit/AuditFilters.tsx,
 * components/subscriptions/SubscriptionFilters.tsx): a draft of the URL's filter fields, the
 * parser's errors shown under the field they name, and labelled inputs whose hint line turns into
 * that error. The URL alone holds the query; the form only edits a draft of it.
 */
import { useMemo, useState } from "react";
import type { ParamError } from "@/lib/query-params";
import { cx } from "@/lib/view/cx";

/**
 * The form's draft: each field as the URL has it, the parser's errors, and helpers to read and edit
 * them. `fields` and `errorsOf` are module constants of the form, so the draft follows the URL alone.
 */
export function useFilterDraft<F extends string>(
  fields: readonly F[],
  search: string,
  errorsOf: (sp: URLSearchParams) => ParamError[],
) {
  const initial = useMemo(() => {
    const sp = new URLSearchParams(search);
    const draft = Object.fromEntries(fields.map((f) => [f, sp.get(f)?.trim() ?? ""])) as Record<F, string>;
    return { draft, errors: errorsOf(sp) };
  }, [fields, search, errorsOf]);
  const [draft, setDraft] = useState(initial.draft);
  const [errors, setErrors] = useState<ParamError[]>(initial.errors);
  const errorFor = (f: F) =>
    errors
      .filter((e) => e.param === f)
      .map((e) => e.message)
      .join(" ") || undefined;
  /** Errors about no field of the form (e.g. a parameter only the URL carries). */
  const otherErrors = errors.filter((e) => !(fields as readonly string[]).includes(e.param)).map((e) => e.message);
  const set = (f: F) => (v: string) => setDraft((d) => ({ ...d, [f]: v }));
  const clear = () => {
    setDraft(Object.fromEntries(fields.map((f) => [f, ""])) as Record<F, string>);
    setErrors([]);
  };
  return { draft, errors, setErrors, errorFor, otherErrors, set, clear };
}

const inputClass = (error?: string, mono?: boolean) =>
  cx(
    "h-8 w-full rounded-md border bg-surface px-2 text-xs text-fg placeholder:text-subtle",
    error ? "border-danger" : "border-line focus:border-accent",
    mono && "font-mono",
  );

interface FieldProps {
  /** The input's id; its name is the id without its two-letter prefix ("a-ns" → "ns"). */
  id: string;
  label: string;
  value: string;
  onChange(v: string): void;
  error?: string;
}

function Field(props: { id: string; label: string; error?: string; hint: React.ReactNode; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <label htmlFor={props.id} className="mb-1 block text-xs font-medium text-muted">
        {props.label}
      </label>
      {props.children}
      <p id={`${props.id}-hint`} className={cx("mt-1 text-[11px]", props.error ? "text-danger" : "text-subtle")}>
        {props.error ?? props.hint}
      </p>
    </div>
  );
}

/** A text filter; its hint (children) says what the field accepts until the field has an error. */
export function FilterText(props: FieldProps & { list?: string; mono?: boolean; children: string }) {
  return (
    <Field id={props.id} label={props.label} error={props.error} hint={props.children}>
      <input
        id={props.id}
        name={props.id.slice(2)}
        value={props.value}
        list={props.list}
        autoComplete="off"
        spellCheck={false}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={`${props.id}-hint`}
        onChange={(e) => props.onChange(e.target.value)}
        className={inputClass(props.error, props.mono)}
      />
    </Field>
  );
}

/** A choice among options (children); the hint line stays empty until the field has an error. */
export function FilterChoice(props: FieldProps & { children: React.ReactNode }) {
  return (
    <Field id={props.id} label={props.label} error={props.error} hint={"\u00a0"}>
      <select
        id={props.id}
        name={props.id.slice(2)}
        value={props.value}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={`${props.id}-hint`}
        onChange={(e) => props.onChange(e.target.value)}
        className={inputClass(props.error)}
      >
        {props.children}
      </select>
    </Field>
  );
}
