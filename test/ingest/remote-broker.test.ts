/**
 * busbar without its embedded broker: components run against an external Mosquitto through the
 * remote bus, exactly as they do in-process.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBusbar, type RunningBusbar } from '../../cli/app.js';
import { parseConfig } from '../../config/load.js';
import { parseLineProtocol } from '../../core/codecs/line-protocol.js';
import { captureLog } from '../helpers/log-capture.js';
import { startMosquitto, type MosquittoServer } from '../helpers/mosquitto.js';
import { Clients, messageOn, record, subscribe } from '../helpers/mqtt-clients.js';

let mosquitto: MosquittoServer;
let busbar: RunningBusbar;
const clients = new Clients();
const log = captureLog('info');

beforeAll(async () => {
  mosquitto = await startMosquitto();
  const config = parseConfig({
    broker: { enabled: false },
    bus: { remote: { url: mosquitto.url } },
    ingest: { rules: [{ topic: 'sensors/+room/+measurement', source: '{room}', tags: { room: '{room}' } }] },
  });
  // Returns once ingest has subscribed on the remote broker (its readiness).
  busbar = await startBusbar(config, log.logger);
});

afterAll(async () => {
  await clients.closeAll();
  await busbar.stop();
  await mosquitto.stop();
});

it('runs ingest against an external broker when the embedded one is off', async () => {
  expect(busbar.broker).toBeUndefined();
  const device = await clients.connect(mosquitto.url);
  const watcher = await clients.connect(mosquitto.url);
  const seen = record(watcher);
  await subscribe(watcher, 'busbar/#', 1);
  await device.publishAsync('sensors/cellar/humidity', '81', { qos: 1 });
  const { metrics } = parseLineProtocol((await messageOn(seen, 'busbar/metrics/cellar/humidity')).payload);
  expect(metrics[0]).toMatchObject({
    measurement: 'humidity',
    tags: { room: 'cellar' },
    fields: { value: { value: 81 } },
  });

  await device.publishAsync('busbar/metrics/cellar/humidity', 'humidity value=', { qos: 1 });
  const letter = await messageOn(seen, 'busbar/deadletter/line-protocol');
  expect(JSON.parse(letter.payload)).toMatchObject({ topic: 'busbar/metrics/cellar/humidity' });
});
