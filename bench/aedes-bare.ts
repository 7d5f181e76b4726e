/**
 * The reference target "aedes (bare)": Aedes with its defaults on one TCP listener, nothing else.
 * Comparing busbar with it shows what busbar adds on top of Aedes. Usage: node aedes-bare.js PORT
 */
import net from 'node:net';
import { Aedes } from 'aedes';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) throw new Error(`usage: aedes-bare PORT (got ${process.argv[2]})`);

const broker = await Aedes.createBroker();
const server = net.createServer(broker.handle);
server.listen(port, '127.0.0.1');

// Exit through process.exit so that `node --cpu-prof` gets to write its profile.
const stop = (): void => {
  server.close();
  broker.close(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
