/**
 * What the alarms component reads before it runs: the rules (built-in defaults, replaced by a rule
 * of the same name), the state saved by the previous run, and trend and baseline history. Neither a
 * damaged state file nor an unreadable history store stops alarms: each is logged, and alarms start
 * without it.
 */
import { errorMessage } from '../core/runtime/errors.js';
import type { Logger } from '../core/runtime/logger.js';
import type { AlarmsConfig } from './config.js';
import { DEFAULT_RULES } from './defaults.js';
import type { AlarmEngine } from './engine.js';
import type { HistoryReadTarget } from '../history/config.js';
import { openHistory } from '../history/open.js';
import { seedFromHistory } from './seed.js';
import { emptyAlarmState, loadAlarmState, type AlarmState } from './state-file.js';

export function configuredRules(config: AlarmsConfig): AlarmsConfig['rules'] {
  const own = new Set(config.rules.map((rule) => rule.name));
  return [...(config.defaults ? DEFAULT_RULES.filter((rule) => !own.has(rule.name)) : []), ...config.rules];
}

export async function restoredState(path: string, log: Logger): Promise<AlarmState> {
  try {
    return await loadAlarmState(path);
  } catch (error) {
    // A damaged file must not stop alarms: start afresh (alarms firing before are announced again).
    log.error({ path, err: errorMessage(error) }, 'alarm state unreadable, starting afresh');
    return emptyAlarmState();
  }
}

export async function seedEngine(engine: AlarmEngine, target: HistoryReadTarget, log: Logger): Promise<void> {
  if (target.kind === 'off') return;
  const history = openHistory(target);
  try {
    const seeded = await seedFromHistory(engine, history, Date.now());
    log.info({ ...seeded, history: history.name }, 'alarm trends and baselines seeded from history');
  } catch (error) {
    // Seeding saves learning time, no more: without it alarms still run, and learn as before.
    log.warn(
      { history: history.name, err: errorMessage(error) },
      'history unreadable, alarms start unseeded',
    );
  } finally {
    history.close();
  }
}
