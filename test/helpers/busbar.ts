import { parseConfig } from '../../config/load.js';
import type { ConfigInput } from '../../config/schema.js';
import { startBusbar, type RunningBusbar } from '../../cli/app.js';
import { captureLog, type CapturedLog } from './log-capture.js';
import { tempDir } from './process.js';

export interface TestBusbar {
  readonly running: RunningBusbar;
  /** mqtt:// URL of the first listener. */
  readonly url: string;
  readonly log: CapturedLog;
  stop(): Promise<void>;
}

/** A whole busbar in this process, as `busbar start` runs it, on a free port and with captured logs. */
export async function startTestBusbar(input: ConfigInput = {}): Promise<TestBusbar> {
  // The history store is on by default: each test busbar keeps it in its own temporary directory.
  const data = await tempDir('data');
  const history = { path: `${data.path}/history.db`, ...input.sinks?.history };
  const config = parseConfig({
    ...input,
    broker: {
      listeners: [{ type: 'tcp', host: '127.0.0.1', port: 0 }],
      ...input.broker,
      // And the intake journal.
      journal: { path: `${data.path}/journal`, ...input.broker?.journal },
    },
    sinks: { ...input.sinks, history },
    // Alarm state too, so test busbars never share data/alarms.json.
    alarms: { statePath: `${data.path}/alarms.json`, ...input.alarms },
    // And the notifications' delivery record.
    notifiers: { recordPath: `${data.path}/notifications.db`, ...input.notifiers },
    // The web server too listens on a free port (its URL is on <base>/stats/web).
    web: { port: 0, sessionsPath: `${data.path}/web-sessions.json`, ...input.web },
  });
  const log = captureLog('debug');
  const running = await startBusbar(config, log.logger);
  const url = running.broker?.listeners[0]?.url;
  if (!url) throw new Error('the test busbar has no listener');
  const stop = async (): Promise<void> => {
    await running.stop();
    await data.remove();
  };
  return { running, url, log, stop };
}
