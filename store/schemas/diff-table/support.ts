/**
 * What the rows of the diff table (store/schemas/diff-table.unit.spec.ts) are made of: the row
 * shape and the small schema builders the rows share.
 */
import type { ChangeKind } from "../diff";

export const str = { type: "string" };
export const num = { type: "number" };

/** An object schema: the shape nearly every fact payload has. */
export function o(properties: Record<string, unknown>, required: string[] = [], extra: Record<string, unknown> = {}) {
  return { type: "object", properties, ...(required.length > 0 ? { required } : {}), ...extra };
}

export type Expected = [path: string, kind: ChangeKind, readers: boolean, writers: boolean];

export interface Row {
  name: string;
  before: unknown;
  after: unknown;
  expected: Expected[];
  /** A payload the new schema admits and the old rejected: proof that readers may break. */
  readerWitness?: unknown;
  /** A payload the old schema admitted and the new rejects: proof that writers may break. */
  writerWitness?: unknown;
  /** Why a breaking verdict has no witness (ajv cannot run one side). */
  noWitness?: string;
}

export const address = o({ street: str, zip: str }, ["zip"]);
export const withAddress = (zip: object) => ({
  type: "object",
  definitions: { address: o({ street: str, zip }, ["zip"]) },
  properties: { billing: { $ref: "#/definitions/address" }, shipping: { $ref: "#/definitions/address" } },
});
export const tree = (value: object) => ({
  $ref: "#/definitions/node",
  definitions: { node: o({ value, children: { type: "array", items: { $ref: "#/definitions/node" } } }) },
});
