import { ConfigError, loadConfig } from '../config/load.js';
import { errorMessage } from '../core/runtime/errors.js';
import { createLogger } from '../core/runtime/logger.js';
import { startBusbar } from './app.js';
import { createConfigReload } from './reload.js';
import { busbarVersion } from '../core/runtime/version.js';

/** How long a clean shutdown may take before busbar gives up waiting and exits non-zero. */
const SHUTDOWN_LIMIT_MS = 30_000;

/**
 * `busbar start`: validates the whole config before anything opens, runs until SIGINT/SIGTERM; SIGHUP
 * reloads the broker's users and ACL (reload.ts).
 */
export async function startCommand(file: string | undefined): Promise<void> {
  let config;
  try {
    config = await loadConfig(file);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
  const log = createLogger(config.log);
  log.info({ version: busbarVersion(), config: file ?? '(embedded defaults)' }, 'busbar starting');
  let running;
  try {
    running = await startBusbar(config, log);
  } catch (error) {
    log.fatal(
      { reason: errorMessage(error), code: (error as { code?: string }).code },
      'busbar could not start',
    );
    log.flush();
    process.exitCode = 1;
    return;
  }
  log.info(
    { components: running.readiness.ready, metrics: running.topics.metrics('<source>', '<measurement>') },
    'busbar ready',
  );

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      log.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'busbar stopping');
    const limit = setTimeout(() => {
      log.error(`shutdown took longer than ${SHUTDOWN_LIMIT_MS} ms; exiting`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS);
    limit.unref();
    running.stop().then(
      () => {
        log.info('busbar stopped');
        log.flush();
        process.exitCode = 0;
        clearTimeout(limit);
      },
      (error: unknown) => {
        log.error({ reason: errorMessage(error) }, 'error while stopping');
        process.exitCode = 1;
        clearTimeout(limit);
      },
    );
  };
  const reload = createConfigReload(file, config, running.broker, running.credentials, log);
  // One reload at a time: a second SIGHUP during one waits for it, then reads the file again.
  let reloading = Promise.resolve();
  const onHangup = (): void => {
    if (stopping) return;
    reloading = reloading.then(reload).catch((error: unknown) => {
      log.error({ reason: errorMessage(error) }, 'SIGHUP reload failed');
    });
  };
  process.on('SIGHUP', onHangup);
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
