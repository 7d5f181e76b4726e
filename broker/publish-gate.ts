/**
 * Holds client publishes until busbar's components take their inputs. The listeners open as soon as
 * the broker starts, and a device may publish at once; a message published before a sink has
 * subscribed would never reach that sink, although the broker acknowledged it. So until `open`,
 * `authorizePublish` waits (the client sees a slower PUBACK, nothing is lost); then it passes
 * straight through.
 */
import type { AedesOptions } from 'aedes';

type AuthorizePublish = NonNullable<AedesOptions['authorizePublish']>;

export interface PublishGate {
  readonly wrap: (authorize: AuthorizePublish) => AuthorizePublish;
  /** Lets held and later publishes through. Idempotent. */
  open(): void;
}

export function createPublishGate(): PublishGate {
  let isOpen = false;
  let held: (() => void)[] = [];
  return {
    wrap(authorize) {
      return (client, packet, callback) => {
        if (isOpen) return authorize(client, packet, callback);
        held.push(() => authorize(client, packet, callback));
      };
    },
    open() {
      if (isOpen) return;
      isOpen = true;
      const waiting = held;
      held = [];
      for (const resume of waiting) resume();
    },
  };
}
