import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { requireBinary, tempDir } from './process.js';

const run = promisify(execFile);

export interface TestCertificates {
  /** Temporary directory holding every file below. */
  readonly dir: string;
  readonly caCert: string;
  /** Server certificate for 127.0.0.1, ::1 and localhost, signed by the CA. */
  readonly serverCert: string;
  readonly serverKey: string;
  /** Client certificate signed by the CA. */
  readonly clientCert: string;
  readonly clientKey: string;
  /** A self-signed client certificate the CA did not sign. */
  readonly strangerCert: string;
  readonly strangerKey: string;
  remove(): Promise<void>;
}

/** A throwaway CA, server and client certificates made with the openssl CLI (EC P-256, one day). */
export async function createTestCertificates(): Promise<TestCertificates> {
  const openssl = requireBinary('/usr/bin/openssl', 'openssl');
  const dir = await tempDir('tls');
  const file = (name: string): string => path.join(dir.path, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

  await run(openssl, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.crt'),
    '-days',
    '1',
    '-subj',
    '/CN=busbar test CA',
  ]);

  const signed = async (name: string, extensions: string): Promise<void> => {
    await writeFile(file(`${name}.ext`), extensions);
    await run(openssl, [
      'req',
      ...ec,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
      '-subj',
      `/CN=busbar test ${name}`,
    ]);
    await run(openssl, [
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file(`${name}.crt`),
      '-days',
      '1',
      '-extfile',
      file(`${name}.ext`),
    ]);
  };
  await signed('server', 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await signed('client', 'extendedKeyUsage=clientAuth\n');
  await run(openssl, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    file('stranger.key'),
    '-out',
    file('stranger.crt'),
    '-days',
    '1',
    '-subj',
    '/CN=stranger',
  ]);

  return {
    dir: dir.path,
    caCert: file('ca.crt'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
    strangerCert: file('stranger.crt'),
    strangerKey: file('stranger.key'),
    remove: dir.remove,
  };
}
