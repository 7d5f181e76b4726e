/**
 * `Promise.all(items.map(fn))` with at most `limit` calls in flight. The agent samples in busbar's
 * own process, beside the broker: hundreds of /proc reads started at once complete in bursts that
 * the event loop runs back to back (with their promise reactions), and a message arriving meanwhile
 * waits for the whole burst. A few reads in flight keep each turn of the loop short.
 */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
