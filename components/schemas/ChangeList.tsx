/** A classified schema diff: each change with its kind, sentence and who it breaks. */
import { ChangeKind, type SchemaChange } from "@/gen/factline/admin/v1/schemas_pb";
import { cx } from "@/lib/view/cx";

/** "CHANGE_KIND_FIELD_ADDED_OPTIONAL" → "field added optional". */
export function changeKindLabel(kind: ChangeKind): string {
  return (ChangeKind[kind] ?? "OTHER")
    .replace(/^CHANGE_KIND_/, "")
    .toLowerCase()
    .replace(/_/g, " ");
}

export function Badge({ tone, children }: { tone: "danger" | "ok" | "warn" | "info"; children: React.ReactNode }) {
  const tones = {
    danger: "border-danger/50 bg-danger-soft text-danger",
    ok: "border-ok/40 bg-ok-soft text-ok",
    warn: "border-warn/40 bg-warn-soft text-warn",
    info: "border-line bg-surface-2 text-muted",
  };
  return (
    <span
      className={cx(
        "inline-flex items-center whitespace-nowrap rounded border px-1.5 py-0.5 text-xs font-medium",
        tones[tone],
      )}
    >
      {children}
    </span>
  );
}

/** The summary line: does the whole change break readers, writers, neither. */
export function BreakingSummary({ readers, writers }: { readers: boolean; writers: boolean }) {
  if (!readers && !writers) return <Badge tone="ok">compatible for readers and writers</Badge>;
  return (
    <span className="flex flex-wrap gap-1">
      {readers && <Badge tone="danger">breaks readers</Badge>}
      {writers && <Badge tone="danger">breaks writers</Badge>}
    </span>
  );
}

export function ChangeList({ changes }: { changes: SchemaChange[] }) {
  if (changes.length === 0) return <p className="p-4 text-sm text-muted">No structural differences.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="change-list">
        <thead className="border-b border-line bg-surface-2 text-left text-xs text-muted">
          <tr>
            <th scope="col" className="px-4 py-2 font-medium">
              Path
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Change
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Description
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Readers
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Writers
            </th>
          </tr>
        </thead>
        <tbody>
          {changes.map((c, i) => (
            <tr key={i} className="border-b border-line align-top last:border-b-0" data-testid="change">
              <td className="px-4 py-2 font-mono text-xs break-all">{c.path || "/"}</td>
              <td className="px-4 py-2 whitespace-nowrap">
                <Badge tone="info">{changeKindLabel(c.kind)}</Badge>
              </td>
              <td className="px-4 py-2">
                {c.description}
                {(c.before || c.after) && (
                  <div className="mt-1 font-mono text-xs text-muted break-all">
                    {c.before || "—"} → {c.after || "—"}
                  </div>
                )}
              </td>
              <td className="px-4 py-2">
                {c.breakingForReaders ? <Badge tone="danger">breaking</Badge> : <Badge tone="ok">ok</Badge>}
              </td>
              <td className="px-4 py-2">
                {c.breakingForWriters ? <Badge tone="danger">breaking</Badge> : <Badge tone="ok">ok</Badge>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
