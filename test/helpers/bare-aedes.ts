import { readFile } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import { Aedes, type AedesOptions } from 'aedes';

export interface BareAedes {
  readonly aedes: Aedes;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export interface BareAedesOptions {
  /** Passed to Aedes (e.g. an `authenticate` that refuses). */
  readonly aedes?: AedesOptions;
  /** Serve mqtts:// with these PEM files; `ca` + `requestCert` also demand a client certificate. */
  readonly tls?: { cert: string; key: string; ca?: string; requestCert?: boolean };
}

/**
 * A plain Aedes (memory persistence, no auth unless given) listening on 127.0.0.1 and a free port:
 * enough to test the buses against the real broker without depending on broker/ (which wires
 * listeners, auth and ACL from the config).
 */
export async function startBareAedes(options: BareAedesOptions = {}): Promise<BareAedes> {
  const aedes = await Aedes.createBroker({ heartbeatInterval: 60_000, ...options.aedes });
  const server = options.tls
    ? tls.createServer(
        {
          cert: await readFile(options.tls.cert),
          key: await readFile(options.tls.key),
          ca: options.tls.ca === undefined ? undefined : await readFile(options.tls.ca),
          requestCert: options.tls.requestCert ?? false,
          rejectUnauthorized: options.tls.requestCert ?? false,
        },
        (socket) => aedes.handle(socket),
      )
    : net.createServer((socket) => aedes.handle(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    aedes,
    port,
    url: `${options.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    async close() {
      // Aedes closes its clients' sockets; the server then has no connection left and can close.
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
