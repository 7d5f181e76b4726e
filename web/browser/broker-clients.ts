/**
 * The broker page's client table: one row per listed client (broker/clients-publisher.ts, with the
 * receive rate web/client-rates.ts adds), its outgoing queue, "N of M clients" when the broker
 * listed only its most active ones, and a "kick" button for users with the write role.
 */
import { ApiError, postJson } from './api.js';
import { el, fill } from './dom.js';
import { localTime, utcTime } from './time.js';

type Client = Record<string, unknown>;

interface Column {
  readonly field: string;
  readonly heading: string;
  readonly numeric?: boolean;
  readonly title?: string;
}

/** The table's columns, described once: they write its head and each row. */
const COLUMNS: readonly Column[] = [
  { field: 'clientId', heading: 'client id' },
  { field: 'username', heading: 'username' },
  { field: 'remoteAddress', heading: 'remote address' },
  { field: 'protocol', heading: 'protocol' },
  { field: 'listener', heading: 'listener' },
  { field: 'connectedSince', heading: 'connected since' },
  { field: 'subscriptions', heading: 'subscriptions', numeric: true },
  {
    field: 'published',
    heading: 'published',
    numeric: true,
    title: 'messages the broker received from this client since it connected',
  },
  {
    field: 'delivered',
    heading: 'delivered',
    numeric: true,
    title: 'messages the broker sent to this client since it connected',
  },
  {
    field: 'publishedPerSecond',
    heading: 'published /s',
    numeric: true,
    title: 'messages per second it published between the two latest client lists',
  },
  {
    field: 'deliveredPerSecond',
    heading: 'delivered /s',
    numeric: true,
    title: 'messages per second the broker sent it between the two latest client lists',
  },
  {
    field: 'queuedMessages',
    heading: 'queued',
    numeric: true,
    title: 'messages waiting to be written to it now',
  },
  { field: 'queuedBytes', heading: 'queued bytes', numeric: true, title: 'bytes of those messages' },
  {
    field: 'peakQueuedMessages',
    heading: 'peak queued',
    numeric: true,
    title: 'the most messages its queue held at once since it connected',
  },
  {
    field: 'dropped',
    heading: 'dropped',
    numeric: true,
    title: 'QoS 0 messages dropped because its queue was full',
  },
];

function cell(client: Client, column: Column): HTMLTableCellElement {
  const value = client[column.field];
  const attributes = { 'data-field': column.field, class: column.numeric ? 'num' : undefined };
  if (column.field === 'connectedSince') {
    const since = Date.parse(String(value));
    if (Number.isNaN(since)) return el('td', attributes);
    return el('td', { ...attributes, title: utcTime(since) }, localTime(since));
  }
  return el('td', attributes, value === null || value === undefined ? '' : String(value));
}

export interface ClientTable {
  show(clients: readonly Client[]): void;
  /** The broker's exact count (`clientsConnected` on its statistics). */
  connected(count: number | undefined): void;
  /** Whether this user may kick: adds the column. */
  allowKick(allowed: boolean): void;
}

export function clientTable(
  body: HTMLTableSectionElement,
  summary: HTMLElement,
  error: HTMLElement,
): ClientTable {
  let clients: readonly Client[] = [];
  let connected: number | undefined;
  let canKick = false;

  function head(): void {
    const headings = COLUMNS.map((column) => el('th', { title: column.title }, column.heading));
    // First: a wide table scrolls inside itself, and the button must not be off screen.
    if (canKick) headings.unshift(el('th', {}, ''));
    fill(body.parentElement!.querySelector('thead')!, [el('tr', {}, ...headings)]);
  }

  async function kick(clientId: string, button: HTMLButtonElement): Promise<void> {
    if (!window.confirm(`Disconnect ${clientId} from the broker? It may connect again.`)) return;
    button.disabled = true;
    error.textContent = '';
    try {
      await postJson(`/api/broker/clients/${encodeURIComponent(clientId)}/kick`, {});
    } catch (failure) {
      error.textContent = `${clientId} not kicked: ${failure instanceof ApiError ? failure.message : String(failure)}`;
      button.disabled = false;
    }
  }

  function kickCell(client: Client): HTMLTableCellElement {
    const clientId = String(client.clientId);
    const button = el('button', { type: 'button', class: 'kick', title: `disconnect ${clientId}` }, 'kick');
    button.addEventListener('click', () => void kick(clientId, button));
    return el('td', {}, button);
  }

  function render(): void {
    const rows = clients.map((client) =>
      el(
        'tr',
        { 'data-client': String(client.clientId) },
        canKick ? kickCell(client) : null,
        ...COLUMNS.map((column) => cell(client, column)),
      ),
    );
    if (rows.length === 0)
      rows.push(el('tr', {}, el('td', { colspan: COLUMNS.length + 1 }, 'no MQTT clients connected')));
    fill(body, rows);
    // The statistics come every sysInterval, the list as clients come and go: the larger is newer.
    const total = Math.max(connected ?? 0, clients.length);
    summary.textContent =
      clients.length < total
        ? `${clients.length} of ${total} clients: the broker lists the most active ones`
        : `${total} client${total === 1 ? '' : 's'}`;
  }

  head();
  return {
    show(list) {
      clients = list;
      render();
    },
    connected(count) {
      if (count === connected) return;
      connected = count;
      render();
    },
    allowKick(allowed) {
      canKick = allowed;
      head();
      render();
    },
  };
}
