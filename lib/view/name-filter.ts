/** Name filters for lists of namespaces and types: a substring, or a glob with `*` and `?`. */

export function nameMatcher(filter: string): (name: string) => boolean {
  const f = filter.trim().toLowerCase();
  if (f === "") return () => true;
  if (!/[*?]/.test(f)) return (name) => name.toLowerCase().includes(f);
  const source = f
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  const re = new RegExp(`^${source}$`);
  return (name) => re.test(name.toLowerCase());
}
