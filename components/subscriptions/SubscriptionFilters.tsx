"use client";
/**
 * The subscription list's filters. The form edits a draft; Apply writes it to the URL, which alone
 * holds the view (lib/subscriptions-params.ts checks it and names the field at fault); the order
 * and row count stay as they are. A bad order or row count in the URL is the page's notice to
 * explain: the form has no field for them, and Apply replaces them with the defaults.
 */
import { useRouter } from "next/navigation";
import { useId, useMemo } from "react";
import { Button } from "@/components/ui/Button";
import { FilterChoice, FilterText, useFilterDraft } from "@/components/ui/FilterForm";
import type { Instance } from "@/gen/factline/admin/v1/operations_pb";
import { useCatalog } from "@/lib/browser/catalog";
import type { ParamError } from "@/lib/query-params";
import {
  defaultSubscriptionsParams,
  MODES,
  parseSubscriptionsSearchParams,
  subscriptionsHref,
  toSubscriptionsSearchParams,
  type SubscriptionFilters as Filters,
} from "@/lib/subscriptions-params";
import { MODE_LABELS, shortId } from "@/lib/view/subscriptions";

type Field = keyof Filters;
const FIELDS: Field[] = ["ns", "account", "client", "mode", "instance"];

/** The parser's complaints about a URL, shown under the fields they name. */
const errorsOf = (sp: URLSearchParams): ParamError[] => {
  const parsed = parseSubscriptionsSearchParams(sp);
  return parsed.ok ? [] : parsed.errors;
};

export function SubscriptionFilters(props: { search: string; instances: Instance[] }) {
  const router = useRouter();
  const { draft, setErrors, errorFor, set, clear } = useFilterDraft(FIELDS, props.search, errorsOf);
  /** The order and row count the URL asks for, kept by Apply (the defaults when the URL's are bad). */
  const view = useMemo(() => {
    const parsed = parseSubscriptionsSearchParams(new URLSearchParams(props.search));
    return parsed.ok ? parsed.params : defaultSubscriptionsParams();
  }, [props.search]);
  const catalog = useCatalog();
  const namespaces = catalog.data?.namespaces.map((n) => n.ns) ?? [];
  const listId = useId();

  const apply = () => {
    // Draft values are checked by the parser below, like a URL typed by hand.
    const sp = toSubscriptionsSearchParams({ ...view, filters: draft as Filters });
    const parsed = parseSubscriptionsSearchParams(sp);
    if (!parsed.ok) return setErrors(parsed.errors);
    setErrors([]);
    router.push(subscriptionsHref(parsed.params));
  };

  return (
    <form
      aria-label="Filter the subscriptions"
      className="rounded-lg border border-line bg-surface p-3"
      onSubmit={(e) => {
        e.preventDefault();
        apply();
      }}
    >
      <div className="grid gap-3 md:grid-cols-3 xl:grid-cols-[1fr_1fr_1fr_10rem_16rem_auto]">
        <FilterText
          id="s-ns"
          label="Namespace"
          value={draft.ns}
          onChange={set("ns")}
          error={errorFor("ns")}
          list={`${listId}-ns`}
        >
          read by one of its specs
        </FilterText>
        <FilterText
          id="s-account"
          label="Account"
          value={draft.account}
          onChange={set("account")}
          error={errorFor("account")}
        >
          exact
        </FilterText>
        <FilterText
          id="s-client"
          label="Client (fc-id)"
          value={draft.client}
          onChange={set("client")}
          error={errorFor("client")}
        >
          exact, as the client calls itself
        </FilterText>
        <FilterChoice id="s-mode" label="Mode" value={draft.mode} onChange={set("mode")} error={errorFor("mode")}>
          <option value="">any</option>
          {Object.entries(MODES).map(([key, mode]) => (
            <option key={key} value={key}>
              {MODE_LABELS[mode]}
            </option>
          ))}
        </FilterChoice>
        <FilterChoice
          id="s-instance"
          label="Instance"
          value={draft.instance}
          onChange={set("instance")}
          error={errorFor("instance")}
        >
          <option value="">any</option>
          {/* One the URL names that is gone (stopped) stays choosable, so the form shows what the list shows. */}
          {draft.instance && !props.instances.some((i) => i.id === draft.instance) && (
            <option value={draft.instance}>{shortId(draft.instance)} (not running)</option>
          )}
          {props.instances.map((i) => (
            <option key={i.id} value={i.id}>
              {i.grpcAddress || i.host} · {shortId(i.id)}
            </option>
          ))}
        </FilterChoice>
        <div className="flex items-start gap-2 pt-5">
          <Button variant="ghost" onClick={clear}>
            Clear
          </Button>
          <Button type="submit" variant="primary">
            Apply
          </Button>
        </div>
      </div>
      <datalist id={`${listId}-ns`}>
        {namespaces.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
    </form>
  );
}
