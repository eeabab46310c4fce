/**
 * Versions of a fact's type as the console offers them: the choices of a fact page's version
 * selector, and a transformation chain in words. Pure, for the components and their tests.
 */

export interface VersionChoice {
  version: number;
  label: string;
}

export interface ChainStepView {
  fromVersion: number;
  toVersion: number;
  hasCode: boolean;
  synthetic: boolean;
}

/**
 * The versions to offer for a fact published as `own`: those the store says a chain reaches
 * (`reachable`, factline), or else the type's versions the catalog knows (a plain FactCast server
 * does not say what is within reach). The version in the URL is always among them, so the selector
 * shows what the page shows, even a version no chain reaches.
 */
export function versionChoices(
  own: number,
  reachable: readonly number[],
  known: readonly number[],
  asked?: number,
): VersionChoice[] {
  const offered = new Set(reachable.length > 0 ? reachable : known);
  offered.add(own);
  if (asked !== undefined) offered.add(asked);
  return [...offered]
    .filter((v) => v > 0 || v === own)
    .sort((a, b) => a - b)
    .map((version) => ({
      version,
      label:
        version === own
          ? `v${version} (as published)`
          : reachable.length > 0 && !reachable.includes(version)
            ? `v${version} (no chain)`
            : `v${version}`,
    }));
}

/** "v1 → v2 → v3" for a chain's steps; "" for none. */
export function chainPath(steps: readonly ChainStepView[]): string {
  if (steps.length === 0) return "";
  return [`v${steps[0].fromVersion}`, ...steps.map((s) => `v${s.toVersion}`)].join(" → ");
}

/** What one step does: an up- or downcast by code, or the identity. */
export function stepKind(step: ChainStepView): string {
  return edgeKind(step.fromVersion, step.toVersion, step.hasCode, step.synthetic);
}

/** An edge between two versions of a type, in words (a schema page's transformations, a chain's step). */
export function edgeKind(fromVersion: number, toVersion: number, hasCode: boolean, synthetic: boolean): string {
  const direction = toVersion > fromVersion ? "upcast" : "downcast";
  if (hasCode) return `${direction} (code)`;
  return synthetic ? `${direction} (identity, assumed)` : `${direction} (identity, registered)`;
}
