/**
 * Many callers' small writes as one statement: the calls made while no batch is being written
 * (within one turn of the event loop) are gathered, and the ones that arrive while a batch is
 * written wait for the next. PGlite serves one statement at a time, so a wave of a rollout's 100
 * submits would otherwise queue 100 lock statements one behind the other; on PostgreSQL it spares
 * the round trips. A batch of one is the single statement it always was.
 */
export function batched<T, R>(
  write: (items: readonly T[]) => Promise<readonly R[]>,
  maxBatch = 500,
): (item: T) => Promise<R> {
  let queue: { item: T; resolve: (value: R) => void; reject: (error: unknown) => void }[] = [];
  let writing = false;

  async function drain(): Promise<void> {
    writing = true;
    try {
      // Calls made in the same turn as the first join it.
      await new Promise((resolve) => setImmediate(resolve));
      while (queue.length > 0) {
        const batch = queue.slice(0, maxBatch);
        queue = queue.slice(batch.length);
        try {
          const results = await write(batch.map((entry) => entry.item));
          batch.forEach((entry, i) => entry.resolve(results[i] as R));
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      writing = false;
    }
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!writing) void drain();
    });
}
