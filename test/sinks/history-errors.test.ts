import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { Clients, record, subscribe, waitFor } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';

let busbar: TestBusbar | undefined;
let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
const clients = new Clients();
afterEach(async () => {
  await clients.closeAll();
  await busbar?.stop();
  await dir?.remove();
});

describe('history store that cannot be opened', () => {
  it('fails its component with an error naming the file and the cause; the broker keeps running', async () => {
    dir = await tempDir('history-errors');
    const notADirectory = path.join(dir.path, 'plain-file');
    await writeFile(notADirectory, 'x');
    const file = path.join(notADirectory, 'history.db');
    busbar = await startTestBusbar({ sinks: { history: { path: file } } });
    await waitFor(() => busbar!.log.find('component failed').length > 0, 'the component failure logged');
    const [failure] = busbar.log.find('component failed');
    expect(failure).toMatchObject({ component: 'history', code: 'BUSBAR_PERSISTENCE' });
    expect(JSON.stringify(failure)).toContain(`cannot open history store ${file}: EEXIST`);
    // The bus still works for everyone else.
    const client = await clients.connect(busbar.url);
    const seen = record(client);
    await subscribe(client, 'busbar/metrics/#', 1);
    await client.publishAsync('busbar/metrics/s/m', 'm v=1', { qos: 1 });
    await waitFor(() => seen.length === 1, 'the message delivered');
  });
});
