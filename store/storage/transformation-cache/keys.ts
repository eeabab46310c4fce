// The transformation cache's key, shared by its storage operations (one file each).

/** A transformed payload is cached per fact, target version and chain (store/transformations/registry.ts). */
export interface CacheKey {
  factId: string;
  version: number;
  chain: string;
}

export const cacheKeyText = (k: CacheKey): string => `${k.factId}\u0000${k.version}\u0000${k.chain}`;

/** Key columns as arrays, for `unnest` (one round trip for a whole chunk of facts). */
export function keyColumns(keys: readonly CacheKey[]): [string[], number[], string[]] {
  return [keys.map((k) => k.factId), keys.map((k) => k.version), keys.map((k) => k.chain)];
}
