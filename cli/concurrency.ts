/**
 * Runs `work` over `items` with at most `limit` calls in flight, keeping result order. Used for
 * many small unary calls on one HTTP/2 connection: all at once would exceed servers' concurrent
 * stream limits (often 100), one at a time would pay a round trip each.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
