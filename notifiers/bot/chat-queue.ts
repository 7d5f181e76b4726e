/**
 * Bot updates run concurrently across chats, one after another within a chat: a slow chart in one
 * chat delays no other, and a chat's answers come in the order it asked. Each chat has a promise
 * chain; at most `limit` updates are accepted and unfinished overall, and while that many are, the
 * next one waits to be accepted (so the long poll waits, and Telegram keeps the rest meanwhile).
 */

/** Updates accepted and not finished yet, over all chats. */
export const MAX_PENDING_UPDATES = 32;

export class ChatQueue {
  /** Chat → the promise of its last accepted update. */
  private readonly tails = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<void>>();
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    /** Called with what a task threw (tasks are expected to handle their own errors). */
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Updates accepted and not finished. */
  get pending(): number {
    return this.running.size;
  }

  /**
   * Queues `task` behind the earlier ones of `chat` (undefined: behind none); resolves once it is
   * accepted, which waits while `limit` updates are pending. It never rejects.
   */
  async push(chat: string | number | undefined, task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    const key = chat === undefined ? undefined : String(chat);
    const previous = key === undefined ? undefined : this.tails.get(key);
    const run: Promise<void> = (previous ?? Promise.resolve())
      .then(task)
      .catch((error: unknown) => {
        try {
          this.onError(error);
        } catch {
          // Nowhere left to tell: the other updates go on.
        }
      })
      .finally(() => {
        this.running.delete(run);
        if (key !== undefined && this.tails.get(key) === run) this.tails.delete(key);
        this.waiting.shift()?.();
      });
    this.running.add(run);
    if (key !== undefined) this.tails.set(key, run);
  }

  /** Resolves once every update accepted so far has finished. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
