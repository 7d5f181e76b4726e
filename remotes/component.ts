/**
 * The `remotes` component: every configured bridge, each running on its own. A bridge whose `run`
 * fails stops the others too (they share one supervisor entry), so the supervisor's restart finds
 * none of them still running.
 */
import type { Component } from '../core/runtime/component.js';
import { BusbarError, errorMessage } from '../core/runtime/errors.js';
import type { RemotesConfig } from './config.js';
import { runBridge } from './bridge.js';

export const remotesComponent: Component<RemotesConfig> = {
  kind: 'bridges',
  async run(context) {
    const { config, signal } = context;
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    // busbar is ready once every bridge takes local messages.
    let waiting = config.bridges.length;
    const started = (): void => {
      waiting -= 1;
      if (waiting === 0) context.ready();
    };
    try {
      const results = await Promise.allSettled(
        config.bridges.map(async (bridge) => {
          try {
            await runBridge({
              config: bridge,
              dataDir: config.dataDir,
              bus: context.bus,
              topics: context.topics,
              log: context.log.child({ bridge: bridge.name }),
              signal: stop.signal,
              started,
            });
          } catch (error) {
            stop.abort();
            throw new BusbarError(
              'BUSBAR_COMPONENT_FAILED',
              `bridge ${bridge.name}: ${errorMessage(error)}`,
              {
                retryable: true,
                cause: error,
              },
            );
          }
        }),
      );
      const failure = results.find((result) => result.status === 'rejected');
      if (failure) throw failure.reason;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  },
};
