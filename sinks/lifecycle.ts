/** A repeating task for sink components (waiting on a signal is in core/util/abortable.ts). */

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
