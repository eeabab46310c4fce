/** A JSON Schema as rows: path, type, required, description, constraints. */
import type { SchemaField } from "@/lib/browser/schemas-json";
import { Badge } from "./ChangeList";

export function FieldTable({ fields }: { fields: SchemaField[] }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="field-table">
        <thead className="border-b border-line bg-surface-2 text-left text-xs text-muted">
          <tr>
            <th scope="col" className="px-4 py-2 font-medium">
              Path
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Type
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Required
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Description
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Constraints
            </th>
          </tr>
        </thead>
        <tbody>
          {fields.map((f) => (
            <tr key={f.path} className="border-b border-line align-top last:border-b-0">
              <td className="px-4 py-2 font-mono text-xs break-all">{f.path}</td>
              <td className="px-4 py-2 font-mono text-xs">{f.type}</td>
              <td className="px-4 py-2">
                {f.required ? (
                  <Badge tone="warn">required</Badge>
                ) : (
                  <span className="text-xs text-subtle">optional</span>
                )}
              </td>
              <td className="px-4 py-2 text-muted">{f.description}</td>
              <td className="px-4 py-2 font-mono text-xs text-muted">
                {f.constraints.map((c) => (
                  <div key={c} className="break-all">
                    {c}
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
