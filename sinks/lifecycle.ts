/** Small helpers every sink component uses to live as long as its AbortSignal. */

/** Resolves when `signal` aborts (at once if it already has). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** Resolves after `ms`, or at once when `signal` aborts; leaves no timer behind. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Calls `task` every `ms` until `stop()`; a run never overlaps the previous one (a slow prune or a
 * slow stats publish simply delays the next). Errors are handed to `onError`, never thrown.
 */
export function repeat(
  ms: number,
  task: () => void | Promise<void>,
  onError: (error: unknown) => void,
  options: { immediate?: boolean } = {},
): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const schedule = (delay = ms): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = (async () => {
        try {
          await task();
        } catch (error) {
          onError(error);
        }
      })().then(() => schedule());
    }, delay);
  };
  schedule(options.immediate ? 0 : ms);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
