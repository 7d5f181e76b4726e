/**
 * The InfluxDB v2 sink: POST /api/v2/write?org=&bucket=&precision= with a token, which InfluxDB 2.x,
 * InfluxDB 1.8+ and VictoriaMetrics accept. It speaks the endpoint with fetch rather than through
 * @influxdata/influxdb-client's WriteApi: that keeps its own in-memory buffer and retry queue, which
 * would sit beside the durable outbox (and be lost on restart) and hide which line a 400 was about.
 * https://docs.influxdata.com/influxdb/v2/api/#operation/PostWrite
 */
import type { InfluxV2Config } from '../config.js';
import { influxSink } from '../influx/influx-sink.js';
import { basicAuth, writeUrl, type WriteTarget } from '../influx/write-target.js';

export function influxV2Target(config: InfluxV2Config): WriteTarget {
  const { url, display, username, password } = writeUrl(config.url, '/api/v2/write', {
    org: config.org === '' ? undefined : config.org,
    bucket: config.bucket,
    precision: config.precision,
  });
  let authorization: string | undefined;
  if (config.token !== undefined) authorization = `Token ${config.token}`;
  else if (username !== undefined) authorization = basicAuth(username, password ?? '');
  return { url, display, headers: authorization === undefined ? {} : { Authorization: authorization } };
}

export const influxV2Component = influxSink<InfluxV2Config>('influxdb', influxV2Target);
