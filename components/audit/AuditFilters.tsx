"use client";
/**
 * The audit log's filters. The form edits a draft; Apply writes it to the URL, which alone holds
 * the query (lib/audit-params.ts checks it with the CLI's rules and names the field at fault), and
 * starts again at the newest entry.
 */
import { useRouter } from "next/navigation";
import { useId } from "react";
import { Button } from "@/components/ui/Button";
import { FilterText, useFilterDraft } from "@/components/ui/FilterForm";
import type { AuditFilterInput } from "@/factcast/audit-filter";
import { auditHref, parseAuditSearchParams, toAuditSearchParams } from "@/lib/audit-params";
import { useCatalog } from "@/lib/browser/catalog";
import type { ParamError } from "@/lib/query-params";

/** The actions the store records (README "The audit log"); a prefix with * matches a family. */
const ACTIONS = [
  "schema.*",
  "schema.register",
  "schema.replace",
  "schema.delete",
  "schema.import",
  "transformation.*",
  "transformation.register",
  "transformation.replace",
  "transformation.delete",
  "subscription.end",
  "access.denied",
  "auth.failed",
  "console.*",
  "console.sign-in",
  "console.sign-out",
];

type Field = keyof AuditFilterInput;
const FIELDS: Field[] = ["account", "action", "ns", "from", "to"];

/** The parser's complaints about a URL, shown under the fields they name. */
const errorsOf = (sp: URLSearchParams): ParamError[] => {
  const parsed = parseAuditSearchParams(sp);
  return parsed.ok ? [] : parsed.errors;
};

export function AuditFilters({ search }: { search: string }) {
  const router = useRouter();
  const { draft, setErrors, errorFor, otherErrors, set, clear } = useFilterDraft(FIELDS, search, errorsOf);
  const catalog = useCatalog();
  const namespaces = catalog.data?.namespaces.map((n) => n.ns) ?? [];
  const listId = useId();

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
        <FilterText
          id="a-account"
          label="Account"
          value={draft.account}
          onChange={set("account")}
          error={errorFor("account")}
        >
          exact, or a prefix ending in *
        </FilterText>
        <FilterText
          id="a-action"
          label="Action"
          value={draft.action}
          onChange={set("action")}
          error={errorFor("action")}
          list={`${listId}-actions`}
        >
          e.g. schema.* or console.sign-in
        </FilterText>
        <FilterText
          id="a-ns"
          label="Namespace"
          value={draft.ns}
          onChange={set("ns")}
          error={errorFor("ns")}
          list={`${listId}-ns`}
        >
          exact, or a prefix ending in *
        </FilterText>
        <FilterText id="a-from" label="From" value={draft.from} onChange={set("from")} error={errorFor("from")} mono>
          UTC day or ISO time with zone
        </FilterText>
        <FilterText id="a-to" label="To" value={draft.to} onChange={set("to")} error={errorFor("to")} mono>
          a day includes its whole day
        </FilterText>
        <div className="flex items-start gap-2 pt-5">
          <Button variant="ghost" onClick={clear}>
            Clear
          </Button>
          <Button type="submit" variant="primary">
            Apply
          </Button>
        </div>
      </div>
      {otherErrors.length > 0 && <p className="mt-2 text-xs text-danger">{otherErrors.join(" ")}</p>}
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
