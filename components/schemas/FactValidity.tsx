"use client";
/** Whether a stored fact validates against its registered schema, shown on the fact page. */
import { Code, ConnectError } from "@connectrpc/connect";
import { useQuery } from "@connectrpc/connect-query";
import Link from "@/components/ui/Link";
import type { Fact } from "@/gen/factline/console/v1/console_pb";
import { SchemaService } from "@/gen/factline/console/v1/schemas_pb";
import { schemaVersionHref, validateHref } from "@/lib/browser/schemas-links";
import { Badge } from "./ChangeList";

export function FactValidity({
  fact,
}: {
  fact: Pick<Fact, "serial" | "ns" | "type" | "version" | "payloadJson" | "payloadTruncated">;
}) {
  // A truncated payload would fail for the wrong reason; unversioned facts have no schema to match.
  const askable = fact.version > 0 && !!fact.type && !fact.payloadTruncated;
  const key = { ns: fact.ns, type: fact.type, version: fact.version };
  const res = useQuery(
    SchemaService.method.validatePayload,
    askable ? { key, payloadJson: fact.payloadJson } : undefined,
    { retry: false },
  );
  if (!askable) return null;
  if (res.error) {
    const code = ConnectError.from(res.error).code;
    if (code === Code.NotFound)
      return (
        <span className="text-xs text-muted" data-testid="fact-validity">
          no schema registered for v{fact.version}
        </span>
      );
    if (code === Code.FailedPrecondition) return null;
    return (
      <span className="text-xs text-danger" data-testid="fact-validity">
        schema check failed: {ConnectError.from(res.error).rawMessage}
      </span>
    );
  }
  if (!res.data) return null;
  return (
    <span className="inline-flex items-center gap-2 text-xs" data-testid="fact-validity">
      {res.data.valid ? (
        <Badge tone="ok">valid</Badge>
      ) : (
        <Badge tone="danger">
          {res.data.errors.length} schema error{res.data.errors.length === 1 ? "" : "s"}
        </Badge>
      )}
      <Link href={schemaVersionHref(fact.ns, fact.type, fact.version)} className="text-accent hover:underline">
        schema v{fact.version}
      </Link>
      {!res.data.valid && (
        <Link
          href={validateHref(fact.ns, fact.type, fact.version, fact.serial)}
          className="text-accent hover:underline"
        >
          see where
        </Link>
      )}
    </span>
  );
}
