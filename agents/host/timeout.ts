/**
 * Waiting for host probes that may never answer. Most probes cannot be cancelled (a statfs on a hung
 * NFS mount blocks a libuv thread until the server comes back), so a timeout only stops waiting; the
 * call runs on. `SingleFlight` therefore refuses to start a second call of a probe while the first
 * is still out, so a hung mount costs one stuck call, not one more at every interval.
 */

export type Timed<T> =
  { status: 'ok'; value: T } | { status: 'error'; error: unknown } | { status: 'timeout' };

/** Settles with the outcome of `promise`, or `timeout` after `ms`; never rejects. */
export function settleWithin<T>(promise: Promise<T>, ms: number): Promise<Timed<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ status: 'timeout' }), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve({ status: 'ok', value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ status: 'error', error });
      },
    );
  });
}

/** At most one call in progress per key. */
export class SingleFlight<T> {
  private readonly pending = new Map<string, Promise<T>>();

  /** Keys whose call has not settled yet. */
  get busy(): string[] {
    return [...this.pending.keys()];
  }

  /** Starts `call` for `key`, or returns undefined while the previous call for `key` is still out. */
  start(key: string, call: () => Promise<T>): Promise<T> | undefined {
    if (this.pending.has(key)) return undefined;
    let promise: Promise<T>;
    try {
      promise = call();
    } catch (error) {
      promise = Promise.reject(error);
    }
    this.pending.set(key, promise);
    const forget = (): void => {
      if (this.pending.get(key) === promise) this.pending.delete(key);
    };
    // Both branches handled: the outcome itself is observed by whoever awaits `promise`.
    promise.then(forget, forget);
    return promise;
  }
}
