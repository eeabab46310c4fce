"use client";
/**
 * A fact's payload, as published or as another version of its type (`?asVersion=N` on the fact's
 * page): a selector of the versions within reach, the chain of transformations the store used, and
 * in place of the payload the store's own words when the version cannot be had (no chain, or a step
 * that failed). The URL is the only source of the version, so a copied link shows the same.
 */
import Link from "@/components/ui/Link";
import { useSearchParams } from "next/navigation";
import { JsonViewer } from "@/components/json/JsonViewer";
import { ErrorNotice } from "@/components/ui/ErrorNotice";
import { Notice } from "@/components/ui/Notice";
import { SkeletonRows } from "@/components/ui/Skeleton";
import type { GetFactAsVersionResponse } from "@/gen/factline/console/v1/console_pb";
import type { FactRow as Fact } from "@/lib/view/facts";
import { useAccess } from "@/lib/browser/access";
import { useCatalog } from "@/lib/browser/catalog";
import { transformationsHref, transformHref } from "@/lib/browser/schemas-links";
import { useFactAsVersion } from "@/lib/browser/transformations";
import { parseVersion, PARAM } from "@/lib/query-params";
import { offerSchemaChanges } from "@/lib/view/access";
import { chainPath, stepKind, versionChoices } from "@/lib/view/versions";

export function FactPayload({ fact }: { fact: Fact }) {
  const search = useSearchParams();
  const parsed = parseVersion(PARAM.asVersion, search.get(PARAM.asVersion));
  const asked = "version" in parsed && parsed.version !== fact.version ? parsed.version : undefined;
  const published = (
    <JsonViewer
      text={fact.payloadJson}
      label="payload"
      title="Payload"
      downloadName={`fact-${fact.serial}-payload.json`}
      aside={fact.type && <VersionSelect fact={fact} asked={asked} />}
    />
  );
  if ("error" in parsed) {
    return (
      <div className="space-y-2">
        <Notice tone="danger" title="This URL asks for a version that is not one">
          <span data-testid="as-version-error">{parsed.error}</span>
        </Notice>
        {published}
      </div>
    );
  }
  if (asked === undefined || !fact.type) return published;
  return <AsVersion fact={fact} version={asked} />;
}

/** The payload in another version, or why it cannot be had. */
function AsVersion({ fact, version }: { fact: Fact; version: number }) {
  const res = useFactAsVersion({ serial: fact.serial }, version);
  const select = <VersionSelect fact={fact} asked={version} />;
  const title = `Payload as version ${version}`;
  if (res.error) {
    return (
      <div className="space-y-2">
        <div className="flex justify-end">{select}</div>
        <ErrorNotice error={res.error} retry={() => void res.refetch()} what={`The fact as version ${version}`} />
      </div>
    );
  }
  if (!res.data) {
    return (
      <section className="rounded-lg border border-line bg-surface p-3" aria-label={title}>
        <div className="mb-3 flex items-center gap-2">
          <h2 className="text-sm font-semibold text-fg">{title}</h2>
          {select}
        </div>
        <SkeletonRows rows={4} />
      </section>
    );
  }
  const shown = res.data.fact;
  return (
    <div className="space-y-2">
      {shown ? (
        <JsonViewer
          text={shown.payloadJson}
          label="payload"
          title={title}
          downloadName={`fact-${fact.serial}-payload-v${version}.json`}
          aside={select}
        />
      ) : (
        <div className="flex justify-end">{select}</div>
      )}
      <ChainLine fact={fact} res={res.data} version={version} />
    </div>
  );
}

/** Which chain made the version shown, or why there is none: in the store's words, in place. */
function ChainLine({ fact, res, version }: { fact: Fact; res: GetFactAsVersionResponse; version: number }) {
  const access = useAccess([fact.ns]);
  const manage = offerSchemaChanges(access.data, fact.ns);
  const path = chainPath(res.chain);
  // The step to fix: the one the store's message names ("step 2 of 2 (2 → 3)"), else the first.
  const named = /step \d+ of \d+ \((\d+) → (\d+)\)/.exec(res.failure);
  // For a missing chain: the edge from the nearest version within reach towards the one asked for.
  const near = res.reachableVersions
    .filter((v) => (version > res.publishedVersion ? v < version : v > version))
    .sort((a, b) => Math.abs(version - a) - Math.abs(version - b))[0];
  const fix = named
    ? { from: Number(named[1]), to: Number(named[2]) }
    : res.failureKind === "missing"
      ? { from: near ?? res.publishedVersion, to: version }
      : { from: res.chain[0]?.fromVersion ?? res.publishedVersion, to: res.chain[0]?.toVersion ?? version };
  const steps = (
    <ol className="mt-1 space-y-0.5 text-xs" data-testid="chain-steps">
      {res.chain.map((s) => (
        <li key={`${s.fromVersion}-${s.toVersion}`}>
          <span className="font-mono">
            v{s.fromVersion} → v{s.toVersion}
          </span>{" "}
          <span className="text-muted">{stepKind(s)}</span>
        </li>
      ))}
    </ol>
  );
  const links = (
    <span className="flex flex-wrap gap-3 text-xs">
      <Link className="text-accent hover:underline" href={transformationsHref(fact.ns, fact.type)}>
        The type&apos;s transformations
      </Link>
      {manage && (
        <Link
          className="text-accent hover:underline"
          href={transformHref(fact.ns, fact.type, fix.from, fix.to, fact.serial)}
        >
          {res.failureKind === "missing" ? "Register a transformation" : "Try a fix on this fact"}
        </Link>
      )}
    </span>
  );
  if (res.failure) {
    const title =
      res.failureKind === "missing"
        ? `No chain of transformations reaches version ${version} from version ${res.publishedVersion}`
        : `The transformation to version ${version} failed`;
    return (
      <Notice tone="danger" title={title}>
        <p className="font-mono text-xs text-fg" data-testid="as-version-failure">
          {res.failureKind === "missing" ? "MissingTransformationInformationException" : "TransformationException"}:{" "}
          {res.failure}
        </p>
        {path && <p className="mt-1 text-xs">Chain tried: {path}</p>}
        {res.chain.length > 0 && steps}
        {res.explained && res.reachableVersions.length > 0 && (
          <p className="mt-1 text-xs">
            Within reach from version {res.publishedVersion}: {res.reachableVersions.map((v) => `v${v}`).join(", ")}.
          </p>
        )}
        <div className="mt-2">{links}</div>
      </Notice>
    );
  }
  return (
    <Notice
      tone="info"
      title={
        <span data-testid="as-version-chain">
          {res.explained
            ? `As version ${version} through ${path}${res.cached ? " (from the transformation cache)" : ""}`
            : `As version ${version}, transformed by the store (it does not say through which chain)`}
        </span>
      }
    >
      {res.chain.length > 0 && steps}
      <div className="mt-2">{links}</div>
    </Notice>
  );
}

/** The version selector: writes `asVersion` into the URL without reloading the page. */
function VersionSelect({ fact, asked }: { fact: Fact; asked?: number }) {
  // With no version asked for, this same call lists the versions within reach.
  const reach = useFactAsVersion({ serial: fact.serial }, asked ?? 0);
  const catalog = useCatalog(fact.ns);
  const known =
    catalog.data?.namespaces
      .find((n) => n.ns === fact.ns)
      ?.types.find((t) => t.type === fact.type)
      ?.versions.map((v) => v.version) ?? [];
  const choices = versionChoices(fact.version, reach.data?.reachableVersions ?? [], known, asked);
  const choose = (version: number) => {
    const url = new URL(window.location.href);
    if (version === fact.version) url.searchParams.delete(PARAM.asVersion);
    else url.searchParams.set(PARAM.asVersion, String(version));
    // Next.js follows history.pushState: the search parameters change without a server round trip.
    window.history.pushState(null, "", url);
  };
  return (
    <label className="flex items-center gap-1.5 text-xs text-muted">
      Show as
      <select
        aria-label="Show as version"
        data-testid="version-select"
        value={asked ?? fact.version}
        onChange={(e) => choose(Number(e.target.value))}
        className="h-7 rounded-md border border-line bg-surface px-1.5 text-xs text-fg focus:border-accent"
      >
        {choices.map((c) => (
          <option key={c.version} value={c.version}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
}
