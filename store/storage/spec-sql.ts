import type { FactSpec } from "../facts/spec";

/**
 * Builds the WHERE predicate matching any of `specs`, appending its values to `params`.
 * Values always travel as bind parameters ($n), never inside the SQL text, so names with quotes or
 * backslashes match literally. Mirrors store/subscriptions/matcher.ts, which evaluates the same
 * rules in memory for live facts; tests/conformance checks both paths against one table.
 */
export function specsPredicate(specs: FactSpec[], params: unknown[]): string {
  return specs.map((s) => `(${specPredicate(s, params)})`).join(" OR ");
}

function specPredicate(spec: FactSpec, params: unknown[]): string {
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const parts: string[] = [];

  // ns, type and aggIds fold into one containment test, served by the GIN jsonb_path_ops index.
  const contained: Record<string, unknown> = {};
  if (spec.ns !== "*") contained.ns = spec.ns;
  if (spec.type !== undefined) contained.type = spec.type;
  if (spec.aggIds.length > 0) contained.aggIds = spec.aggIds;
  if (Object.keys(contained).length > 0) parts.push(`header @> ${bind(JSON.stringify(contained))}::jsonb`);

  // A meta value may be a string or an array of strings; jsonb containment needs both shapes.
  for (const [key, value] of Object.entries(spec.meta)) {
    const scalar = bind(JSON.stringify({ meta: { [key]: value } }));
    const member = bind(JSON.stringify({ meta: { [key]: [value] } }));
    parts.push(`(header @> ${scalar}::jsonb OR header @> ${member}::jsonb)`);
  }

  for (const [key, exists] of Object.entries(spec.metaKeyExists)) {
    const test = `coalesce((header -> 'meta') ? ${bind(key)}, false)`;
    parts.push(exists ? test : `NOT ${test}`);
  }

  const properties = Object.entries(spec.aggIdProperties);
  if (properties.length > 0) {
    const checks = properties.map(([path, id]) => `lower(payload #>> ${bind(path.split("."))}::text[]) = ${bind(id)}`);
    const all = checks.join(" AND ");
    // As in FactCast: with a version requested, facts of other versions pass here and fail later
    // for lack of a transformation, instead of silently disappearing.
    parts.push(
      spec.version === 0 ? all : `(coalesce((header ->> 'version')::integer, 0) <> ${bind(spec.version)} OR (${all}))`,
    );
  }
  return parts.length > 0 ? parts.join(" AND ") : "TRUE";
}
