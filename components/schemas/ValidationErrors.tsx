/** Validation errors as a list: where (JSON pointer), what, and the schema keyword that failed. */
import type { ValidationError } from "@/gen/factline/admin/v1/schemas_pb";

export function ValidationErrors({ errors }: { errors: ValidationError[] }) {
  return (
    <ul className="space-y-1 text-sm" data-testid="validation-errors">
      {errors.map((e, i) => (
        <li key={i}>
          <code className="rounded bg-danger-soft px-1 font-mono text-xs text-danger">{e.pointer || "/"}</code>{" "}
          {e.message}
          {e.keyword && <span className="ml-1 text-xs text-subtle">({e.keyword})</span>}
        </li>
      ))}
    </ul>
  );
}
