import { MissingTransformationError } from "../errors";
import type { FactHeader, StoredFact } from "./fact";

/**
 * fetchByIdAndVersion without a transformation registry: a fact can only be returned in the
 * version it was published in; anything else is FactCast's MissingTransformationInformation.
 */
export function requireVersion(fact: StoredFact, version: number): void {
  const header = JSON.parse(fact.header) as FactHeader;
  const actual = header.version ?? 0;
  if (actual !== version) {
    throw new MissingTransformationError(
      `fact ${header.id} has version ${actual}; version ${version} would need a transformation, and this store has none`,
    );
  }
}
