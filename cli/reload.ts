/**
 * SIGHUP for `busbar start`: the config file (and its `broker.passwordFile`) read again, the way
 * Mosquitto reloads its password file and ACL. `broker.users`, `broker.acl` and
 * `broker.passwordFile` are swapped in without dropping clients (broker/reload.ts), and the web
 * server's logins follow them; any other change is logged as needing a restart and not applied. A
 * config that does not load is logged with its problems and the running one stays.
 */
import { ConfigError, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { errorMessage } from '../core/runtime/errors.js';
import type { Logger } from '../core/runtime/logger.js';
import type { EmbeddedBroker } from '../broker/broker.js';
import type { LiveCredentials } from '../broker/live-credentials.js';

/** What SIGHUP may change while busbar runs; everything else needs a restart. */
const RELOADABLE = ['users', 'acl', 'passwordFile'] as const;

type Reloadable = Pick<Config['broker'], (typeof RELOADABLE)[number]>;

export function createConfigReload(
  file: string | undefined,
  running: Config,
  broker: EmbeddedBroker | undefined,
  credentials: LiveCredentials,
  log: Logger,
): () => Promise<void> {
  let current = running;
  return async () => {
    if (file === undefined) return void log.warn('SIGHUP: no config file to read again (embedded defaults)');
    log.info({ config: file }, 'SIGHUP: reading the config again');
    let next: Config;
    try {
      next = await loadConfig(file);
    } catch (error) {
      const reason = error instanceof ConfigError ? error.message : errorMessage(error);
      return void log.error({ reason }, 'config not reloaded: the running one stays');
    }
    const restartNeeded = changedOutside(current, next);
    if (restartNeeded.length > 0) {
      log.warn({ changed: restartNeeded }, 'config changes that need a restart; not applied');
    }
    if (!reloadableChanged(current, next)) return void log.info('SIGHUP: users and ACL unchanged');
    if (!broker)
      return void log.warn('SIGHUP: broker.users and broker.acl apply to the embedded broker only');
    try {
      const summary = broker.reloadCredentials(next.broker);
      current = { ...current, broker: { ...current.broker, ...reloadable(next) } };
      log.info(summary, 'broker users and ACL reloaded');
      // The web server's logins and sessions follow (web/component.ts).
      credentials.set({ users: next.broker.users, acl: next.broker.acl });
    } catch (error) {
      log.error({ reason: errorMessage(error) }, 'broker users and ACL not reloaded: the running ones stay');
    }
  };
}

function reloadable(config: Config): Reloadable {
  const { users, acl, passwordFile } = config.broker;
  return { users, acl, passwordFile };
}

function reloadableChanged(current: Config, next: Config): boolean {
  return JSON.stringify(reloadable(current)) !== JSON.stringify(reloadable(next));
}

/** The top-level sections (and `broker.*` keys) that differ, the reloadable keys left out. */
function changedOutside(current: Config, next: Config): string[] {
  const changed: string[] = [];
  const keys = new Set([...Object.keys(current), ...Object.keys(next)]) as Set<keyof Config>;
  for (const key of keys) {
    if (key === 'broker') continue;
    if (JSON.stringify(current[key]) !== JSON.stringify(next[key])) changed.push(key);
  }
  const brokerKeys = new Set([...Object.keys(current.broker), ...Object.keys(next.broker)]);
  for (const key of brokerKeys as Set<keyof Config['broker']>) {
    if ((RELOADABLE as readonly string[]).includes(key)) continue;
    if (JSON.stringify(current.broker[key]) !== JSON.stringify(next.broker[key]))
      changed.push(`broker.${key}`);
  }
  return changed;
}
