import type { Config } from '../config/schema.js';
import type { Component } from '../core/component.js';
import { ingestComponent } from '../core/ingest/ingest-component.js';

/**
 * Every component `busbar start` runs. Adding a bridge, sink or notifier is one line here: its
 * id, its component, and the config section it receives (undefined: not configured, not started).
 */
export interface Registration {
  readonly id: string;
  readonly component: Component<never>;
  readonly section: (config: Config) => unknown;
}

function register<C>(
  id: string,
  component: Component<C>,
  section: (config: Config) => C | undefined,
): Registration {
  return { id, component: component as Component<never>, section };
}

export const registrations: readonly Registration[] = [
  register('ingest', ingestComponent, (config) => config.ingest),
];
