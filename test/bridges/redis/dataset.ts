/**
 * A data set shaped like seed 000's MOC Redis (about 1,400 keys in several categories, JSON
 * values), with a few broken values, as the Redis bridge tests load it.
 */
import type { Redis } from 'ioredis';

export const RACKS = ['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8'];
export const PHASES = ['PA', 'PB', 'PC'];
export const PLUGS_PER_PHASE = 20; // 8 × 3 × 20 = 480 busplugs
export const IRC_PER_RACK = 40; // 320 IRC units
export const METERS = 100; // hashes
export const MAKEUP = 200;
export const OTHERS = 320; // plain numbers

/** The busplug power of (rack, phase, plug) in kW: deterministic, so tests can sum it. */
export function busplugKw(rack: number, phase: number, plug: number): number {
  return Math.round((1 + rack * 0.5 + phase * 0.1 + plug * 0.01) * 100) / 100;
}

/** Keys whose values do not parse: the rest of their batch must go on. */
export const BAD_KEYS = {
  'electrical:busplug:R3:PB:99': '{"power_kw": 1.5, ',
  'electrical:busplug:R5:PC:98': 'not json at all',
  'mechanical:irc:R2:99': '{"supply_temp_f": "warm"}',
};

export async function loadDataset(redis: Redis): Promise<number> {
  const pipeline = redis.pipeline();
  let count = 0;
  RACKS.forEach((rack, r) =>
    PHASES.forEach((phase, p) => {
      for (let plug = 1; plug <= PLUGS_PER_PHASE; plug++) {
        const kw = busplugKw(r, p, plug);
        const value = {
          current_a: kw * 4.2,
          voltage_v: 240,
          power_kw: kw,
          energy_kwh: 1000 * (r + 1) + plug,
          pf: 0.97,
        };
        pipeline.set(
          `electrical:busplug:${rack}:${phase}:${String(plug).padStart(2, '0')}`,
          JSON.stringify(value),
        );
        count++;
      }
    }),
  );
  RACKS.forEach((rack) => {
    for (let unit = 1; unit <= IRC_PER_RACK; unit++) {
      const value = { supply_temp_f: 68 + (unit % 5), return_temp_f: 86, fan: { speed_pct: 55 } };
      pipeline.set(`mechanical:irc:${rack}:${unit}`, JSON.stringify(value));
      count++;
    }
  });
  for (let meter = 1; meter <= METERS; meter++) {
    pipeline.hset(`electrical:meter:${meter}`, {
      kw: String(10 + meter),
      kwh: String(5_000 + meter),
      name: `meter ${meter}`,
    });
    count++;
  }
  for (let unit = 1; unit <= MAKEUP; unit++) {
    pipeline.set(
      `mechanical:makeup:${unit}`,
      JSON.stringify({ status: 'ok', cfm: 1_000 + unit, ts: 1_732_530_000_000 + unit }),
    );
    count++;
  }
  for (let i = 1; i <= OTHERS; i++) {
    pipeline.set(`others:sensor:${i}`, String(20 + i / 100));
    count++;
  }
  for (const [key, value] of Object.entries(BAD_KEYS)) {
    pipeline.set(key, value);
    count++;
  }
  await pipeline.exec();
  return count;
}
