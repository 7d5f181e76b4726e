/**
 * inactive → pending → firing → resolved, as Prometheus' alerting rules: the condition must hold for
 * `for` before firing, and a firing alarm resolves once the condition has been off for `keepFiringFor`.
 * `step` is called with each new condition and on every tick (time alone moves `for` on).
 */
import type { AlarmInstance, Condition } from './alarm.js';

/** Applies `condition` at `now`; true when the state changed (the caller publishes it). */
export function step(
  instance: AlarmInstance,
  condition: Condition,
  now: number,
  forMs: number,
  keepFiringForMs: number,
): boolean {
  instance.condition = condition;
  if (instance.state === 'firing') {
    if (condition !== 'recovered') {
      instance.conditionSince = undefined;
      return false;
    }
    instance.conditionSince ??= now;
    if (now - instance.conditionSince < keepFiringForMs) return false;
    return enter(instance, 'resolved', now);
  }
  if (condition !== 'breach') {
    instance.conditionSince = undefined;
    return instance.state === 'pending' ? enter(instance, 'inactive', now) : false;
  }
  if (instance.state !== 'pending') {
    instance.conditionSince = now;
    if (forMs > 0) return enter(instance, 'pending', now);
  }
  if (now - (instance.conditionSince ?? now) < forMs) return false;
  instance.firedAt = now;
  instance.conditionSince = undefined;
  return enter(instance, 'firing', now);
}

function enter(instance: AlarmInstance, state: AlarmInstance['state'], now: number): true {
  instance.state = state;
  instance.since = now;
  return true;
}
