/** Links between the schema pages (README "The console": /schemas, /schemas/<ns>/<type>, /schemas/<ns>/<type>/<version>). */
const seg = encodeURIComponent;

export function schemaTypeHref(ns: string, type: string): string {
  return `/schemas/${seg(ns)}/${seg(type)}`;
}

export function schemaVersionHref(ns: string, type: string, version: number): string {
  return `${schemaTypeHref(ns, type)}/${version}`;
}

export function registerSchemaHref(ns = "", type = "", version = 0): string {
  const q = new URLSearchParams();
  if (ns) q.set("ns", ns);
  if (type) q.set("type", type);
  if (version) q.set("version", String(version));
  const qs = q.toString();
  return qs ? `/schemas/register?${qs}` : "/schemas/register";
}

export function validateHref(ns = "", type = "", version = 0, serial?: bigint | number): string {
  const q = new URLSearchParams();
  if (ns) q.set("ns", ns);
  if (type) q.set("type", type);
  if (version) q.set("version", String(version));
  if (serial) q.set("serial", String(serial));
  const qs = q.toString();
  return qs ? `/schemas/validate?${qs}` : "/schemas/validate";
}

/** Route segments arrive percent-encoded for some characters; names are shown as registered. */
export function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A type's transformations, on its schema page. */
export function transformationsHref(ns: string, type: string): string {
  return `${schemaTypeHref(ns, type)}#transformations`;
}

/**
 * The page that registers (or replaces) the transformation from → to of a type, with its check and
 * try-it panel; `serial` preselects the fact to try it on.
 */
export function transformHref(ns: string, type: string, from = 0, to = 0, serial?: bigint | number): string {
  const q = new URLSearchParams();
  if (ns) q.set("ns", ns);
  if (type) q.set("type", type);
  if (from) q.set("from", String(from));
  if (to) q.set("to", String(to));
  if (serial) q.set("serial", String(serial));
  const qs = q.toString();
  return qs ? `/schemas/transform?${qs}` : "/schemas/transform";
}
