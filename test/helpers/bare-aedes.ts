import net from 'node:net';
import { Aedes } from 'aedes';

export interface BareAedes {
  readonly aedes: Aedes;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A plain Aedes (memory persistence, no auth) listening on 127.0.0.1 and a free port: enough to test
 * the buses against the real broker without depending on broker/ (which wires listeners, auth, ACL).
 */
export async function startBareAedes(): Promise<BareAedes> {
  const aedes = await Aedes.createBroker({ heartbeatInterval: 60_000 });
  const server = net.createServer((socket) => aedes.handle(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    aedes,
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async close() {
      // Aedes closes its clients' sockets; the server then has no connection left and can close.
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
