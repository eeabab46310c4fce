/**
 * Element Timing (a browser API: an element carrying an `elementtiming` attribute gets a
 * PerformanceObserver "element" entry whose `renderTime` is when its text was first painted). The
 * first rows of the console's first views carry it, so the bench measures the moment the user can
 * see the data, not when a script found it in the DOM (bench/scenarios/console-timing.ts,
 * docs/performance.md "Console first row: painted, not polled"). Browsers without the API ignore
 * the attribute; it costs nothing else.
 *
 * React passes the lower-case attribute through to the DOM as written; its JSX types do not list it,
 * hence a spread (`<th {...paintTimed(FIRST_ROW.namespace)}>`) rather than a typed prop.
 */
export const FIRST_ROW = {
  /** The overview: each namespace's name cell. */
  namespace: "namespace-row",
  /** A namespace page: each type's name cell. */
  type: "type-row",
  /** A fact page: the fact's id. */
  fact: "fact-id",
} as const;

export function paintTimed(identifier: (typeof FIRST_ROW)[keyof typeof FIRST_ROW]): { elementtiming: string } {
  return { elementtiming: identifier };
}
