/**
 * The InfluxDB 1.x sink, for sites still on 1.x (Debian ships 1.6, which has no /api/v2/write):
 * POST /write?db=&rp=&precision= with HTTP basic auth. Everything else is the shared sink.
 * https://docs.influxdata.com/influxdb/v1/tools/api/#write-http-endpoint
 */
import type { Precision } from '../../core/codecs/metric.js';
import type { InfluxV1Config } from '../config.js';
import { influxSink } from '../influx/influx-sink.js';
import { basicAuth, writeUrl, type WriteTarget } from '../influx/write-target.js';

/** 1.x spells microseconds `u`. */
const V1_PRECISION: Readonly<Record<Precision, string>> = { ns: 'ns', us: 'u', ms: 'ms', s: 's' };

export function influxV1Target(config: InfluxV1Config): WriteTarget {
  const { url, display, username, password } = writeUrl(config.url, '/write', {
    db: config.database,
    rp: config.retentionPolicy,
    precision: V1_PRECISION[config.precision],
  });
  const user = config.username ?? username;
  const secret = config.password ?? password ?? '';
  return { url, display, headers: user === undefined ? {} : { Authorization: basicAuth(user, secret) } };
}

export const influxV1Component = influxSink<InfluxV1Config>('influxdb1', influxV1Target);
