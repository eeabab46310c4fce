// The transformation registry's records, shared by its storage operations (one file each).

export interface TransformationKey {
  ns: string;
  type: string;
  /** 1 or more. */
  from: number;
  /** 1 or more, not `from`. */
  to: number;
}

export interface TransformationRecord extends TransformationKey {
  /** undefined: a downcast without code (the identity). */
  code?: string;
  description: string;
  registeredBy: string;
  registeredMs: number;
  revision: number;
  /** MD5 of the code ("" without code), as FactCast's index.json carries it. */
  hash: string;
}

export interface TransformationReplacement {
  revision: number;
  code?: string;
  registeredBy: string;
  registeredMs: number;
  reason: string;
}

export const RECORD_COLUMNS = `ns, type, from_version AS "from", to_version AS "to", code, description,
  registered_by AS "registeredBy", floor(extract(epoch FROM registered_at) * 1000)::float8 AS "registeredMs",
  revision, hash`;

type Row = Omit<TransformationRecord, "code"> & { code: string | null };

export function toRecord(row: Row): TransformationRecord {
  const { code, ...rest } = row;
  return code === null ? rest : { ...rest, code };
}

export function describeKey(key: TransformationKey): string {
  return `${key.ns}/${key.type} ${key.from} → ${key.to}`;
}
