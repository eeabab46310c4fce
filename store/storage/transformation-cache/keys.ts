// The transformation cache's key, shared by its storage operations (one file each).

/**
 * A transformed fact is cached per serial and chain (migrations/084): the chain's id
 * (store/transformations/registry.ts) names the type, the path and so the target version.
 */
export interface CacheKey {
  /** The fact's serial, as decimal text (PostgreSQL's bigint). */
  ser: string;
  chain: string;
}

export const cacheKeyText = (k: CacheKey): string => `${k.ser}\u0000${k.chain}`;

/** Key columns as arrays, for `unnest` (one round trip for a whole chunk of facts). */
export function keyColumns(keys: readonly CacheKey[]): [string[], string[]] {
  return [keys.map((k) => k.ser), keys.map((k) => k.chain)];
}
