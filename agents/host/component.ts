/** The host agent inside `busbar start`: a component publishing on the in-process bus. */
import os from 'node:os';
import type { Component } from '../../core/runtime/component.js';
import { runHostAgent } from './agent.js';
import type { AgentConfig } from './config-schema.js';
import { busLink } from './link.js';

export const hostAgentComponent: Component<AgentConfig> = {
  kind: 'host-agent',
  async run(context) {
    const source = context.config.name ?? os.hostname();
    await runHostAgent(
      {
        config: context.config,
        source,
        topics: context.topics,
        link: busLink(context.bus),
        log: context.log,
        started: context.ready,
      },
      context.signal,
    );
  },
};
