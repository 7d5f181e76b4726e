import { ConfigError, loadConfig } from '../config/load.js';

/** `busbar check-config`: prints every problem with its path; exit code 0 only for a valid file. */
export async function checkConfigCommand(file: string | undefined): Promise<number> {
  try {
    const config = await loadConfig(file);
    const listeners = config.broker.enabled
      ? config.broker.listeners.map((l) => `${l.type}://${l.host}:${l.port}`).join(', ')
      : `remote broker ${config.bus.remote?.url ?? ''}`;
    process.stdout.write(`${file ?? '(embedded defaults)'}: valid. Broker: ${listeners}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
