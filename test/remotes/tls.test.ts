/** A bridge over TLS with a client certificate, to a Mosquitto that requires one. */
import { chmod } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Clients, messageOn, record, subscribe } from '../helpers/mqtt-clients.js';
import { startMosquitto, type MosquittoServer } from '../helpers/mosquitto.js';
import { freePort, waitForPort } from '../helpers/ports.js';
import { createTestCertificates, type TestCertificates } from '../helpers/tls.js';
import { startBridged, type Bridged } from './fixture.js';

let certs: TestCertificates;
let mosquitto: MosquittoServer;
let bridged: Bridged;
const clients = new Clients();

beforeAll(async () => {
  certs = await createTestCertificates();
  // Started as root, Mosquitto drops to its own user, which must be able to read the files.
  await chmod(certs.dir, 0o755);
  await Promise.all([certs.caCert, certs.serverCert, certs.serverKey].map((file) => chmod(file, 0o644)));
  const tlsPort = await freePort();
  mosquitto = await startMosquitto({
    extraConfig: [
      `listener ${tlsPort} 127.0.0.1`,
      `cafile ${certs.caCert}`,
      `certfile ${certs.serverCert}`,
      `keyfile ${certs.serverKey}`,
      'require_certificate true',
    ].join('\n'),
  });
  await waitForPort(tlsPort);
  bridged = await startBridged(
    {
      addresses: [`mqtts://127.0.0.1:${tlsPort}`],
      ca: certs.caCert,
      cert: certs.clientCert,
      key: certs.clientKey,
      rules: [{ pattern: 'busbar/metrics/#', qos: 1 }],
    },
    { mosquitto },
  );
});

afterAll(async () => {
  await clients.closeAll();
  await bridged.stop();
  await mosquitto.stop();
  await certs.remove();
});

it('forwards over mqtts:// with the CA, certificate and key it is given', async () => {
  const remote = await clients.connect(mosquitto.url);
  const seen = record(remote);
  await subscribe(remote, 'busbar/#', 1);
  const local = await clients.connect(bridged.busbar.url);
  await local.publishAsync('busbar/metrics/web1/cpu', 'cpu usage=4', { qos: 1 });
  expect((await messageOn(seen, 'busbar/metrics/web1/cpu')).payload).toBe('cpu usage=4');
});
