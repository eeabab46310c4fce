// FactCast's namespace rules. A pattern is an exact namespace, "*" (every namespace), or a prefix
// ending in "*"; nothing else is a wildcard. Per role an exclude wins over an include and neither
// means "no opinion"; per account any role's deny wins, else any role's allow, else deny.
//
// Those two levels collapse into one: an account's rules are the union of its roles' includes and
// the union of their excludes, with exclude winning. That merged form is what an account "may do"
// and what the console shows, so it is the one representation kept here.

/** include/exclude patterns, as in a role of the access file. */
export interface PatternRules {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

/** What one account may do, merged over all its roles. */
export interface EffectiveAccess {
  readonly roles: readonly string[];
  readonly read: PatternRules;
  readonly write: PatternRules;
  /** factline: register, replace, delete and import schemas and transformations. */
  readonly schemas: PatternRules;
  /** factline: read the audit log. */
  readonly audit: boolean;
  /** factline: operate the store: /metrics, every subscription and instance, ending subscriptions. */
  readonly operate: boolean;
}

export const NO_RULES: PatternRules = Object.freeze({ include: [], exclude: [] });
export const EVERYTHING: PatternRules = Object.freeze({ include: ["*"], exclude: [] });

/** FactCast's AccessRules.matches. */
export function patternMatches(pattern: string, ns: string): boolean {
  if (pattern === ns || pattern === "*") return true;
  return pattern.endsWith("*") && ns.startsWith(pattern.slice(0, -1));
}

/**
 * Whether `rules` allow `ns`. A spec's namespace "*" asks for every namespace: FactCast lets it
 * through when a rule matches "*", which with an exclude would hand out the excluded namespaces'
 * facts; factline also requires that nothing is excluded (README "Security").
 */
export function allows(rules: PatternRules, ns: string): boolean {
  if (ns === "*") return rules.include.includes("*") && rules.exclude.length === 0;
  if (rules.exclude.some((p) => patternMatches(p, ns))) return false;
  return rules.include.some((p) => patternMatches(p, ns));
}

/** The union of several roles' rules (see the top of this file for why that is exact). */
export function mergeRules(all: readonly PatternRules[]): PatternRules {
  return {
    include: [...new Set(all.flatMap((r) => r.include))],
    exclude: [...new Set(all.flatMap((r) => r.exclude))],
  };
}

/**
 * A per-namespace answer cache, as FactCast's FactCastUser keeps one. Bounded: namespaces come from
 * callers, and an account that probes millions of names must not grow the store's memory.
 */
export function cachedAllows(rules: PatternRules): (ns: string) => boolean {
  const MAX_CACHED = 1_024;
  const cache = new Map<string, boolean>();
  return (ns) => {
    let answer = cache.get(ns);
    if (answer === undefined) {
      answer = allows(rules, ns);
      if (cache.size >= MAX_CACHED) cache.clear();
      cache.set(ns, answer);
    }
    return answer;
  };
}
