"use client";
/**
 * The subscription list's filters. The form edits a draft; Apply writes it to the URL, which alone
 * holds the view (lib/subscriptions-params.ts checks it and names the field at fault); the order
 * and row count stay as they are. A bad order or row count in the URL is the page's notice to
 * explain: the form has no field for them, and Apply replaces them with the defaults.
 */
import { useRouter } from "next/navigation";
import { useId, useMemo, useState } from "react";
import { Button } from "@/components/ui/Button";
import type { Instance } from "@/gen/factline/admin/v1/operations_pb";
import { useCatalog } from "@/lib/browser/catalog";
import type { ParamError } from "@/lib/query-params";
import {
  defaultSubscriptionsParams,
  EMPTY_FILTERS,
  MODES,
  parseSubscriptionsSearchParams,
  subscriptionsHref,
  toSubscriptionsSearchParams,
  type SubscriptionFilters as Filters,
} from "@/lib/subscriptions-params";
import { cx } from "@/lib/view/cx";
import { MODE_LABELS, shortId } from "@/lib/view/subscriptions";

type Field = keyof Filters;
const FIELDS: Field[] = ["ns", "account", "client", "mode", "instance"];

export function SubscriptionFilters(props: { search: string; instances: Instance[] }) {
  const router = useRouter();
  const initial = useMemo(() => {
    const sp = new URLSearchParams(props.search);
    const parsed = parseSubscriptionsSearchParams(sp);
    const draft = Object.fromEntries(FIELDS.map((f) => [f, sp.get(f)?.trim() ?? ""])) as Record<Field, string>;
    return { draft, errors: parsed.ok ? [] : parsed.errors, view: parsed.ok ? parsed.params : undefined };
  }, [props.search]);
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
    // Draft values are checked by the parser below, like a URL typed by hand.
    const sp = toSubscriptionsSearchParams({
      ...(initial.view ?? defaultSubscriptionsParams()),
      filters: draft as Filters,
    });
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
        <Text
          id="s-ns"
          label="Namespace"
          value={draft.ns}
          onChange={set("ns")}
          error={errorFor("ns")}
          list={`${listId}-ns`}
        >
          read by one of its specs
        </Text>
        <Text
          id="s-account"
          label="Account"
          value={draft.account}
          onChange={set("account")}
          error={errorFor("account")}
        >
          exact
        </Text>
        <Text
          id="s-client"
          label="Client (fc-id)"
          value={draft.client}
          onChange={set("client")}
          error={errorFor("client")}
        >
          exact, as the client calls itself
        </Text>
        <Choice id="s-mode" label="Mode" value={draft.mode} onChange={set("mode")} error={errorFor("mode")}>
          <option value="">any</option>
          {Object.entries(MODES).map(([key, mode]) => (
            <option key={key} value={key}>
              {MODE_LABELS[mode]}
            </option>
          ))}
        </Choice>
        <Choice
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
        </Choice>
        <div className="flex items-start gap-2 pt-5">
          <Button
            variant="ghost"
            onClick={() => {
              setDraft({ ...EMPTY_FILTERS });
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
      <datalist id={`${listId}-ns`}>
        {namespaces.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
    </form>
  );
}

const inputClass = (error?: string) =>
  cx(
    "h-8 w-full rounded-md border bg-surface px-2 text-xs text-fg placeholder:text-subtle",
    error ? "border-danger" : "border-line focus:border-accent",
  );

function Hint({ id, error, children }: { id: string; error?: string; children: React.ReactNode }) {
  return (
    <p id={`${id}-hint`} className={cx("mt-1 text-[11px]", error ? "text-danger" : "text-subtle")}>
      {error ?? children}
    </p>
  );
}

function Text(props: {
  id: string;
  label: string;
  value: string;
  onChange(v: string): void;
  error?: string;
  list?: string;
  children: string;
}) {
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
        aria-describedby={`${props.id}-hint`}
        onChange={(e) => props.onChange(e.target.value)}
        className={inputClass(props.error)}
      />
      <Hint id={props.id} error={props.error}>
        {props.children}
      </Hint>
    </div>
  );
}

function Choice(props: {
  id: string;
  label: string;
  value: string;
  onChange(v: string): void;
  error?: string;
  children: React.ReactNode;
}) {
  return (
    <div className="min-w-0">
      <label htmlFor={props.id} className="mb-1 block text-xs font-medium text-muted">
        {props.label}
      </label>
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
      <Hint id={props.id} error={props.error}>
        {"\u00a0"}
      </Hint>
    </div>
  );
}
