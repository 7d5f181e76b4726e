/**
 * The broker page, live over `/api/events?state=stats,clients,rates`: the broker's statistics
 * (`busbar/stats/broker`), its messages per second as the server timed them, its clients, the
 * retained-message browser, and every other component's statistics.
 */
import { whoami } from './api.js';
import { clientTable } from './broker-clients.js';
import { rateChart, type RateColumns } from './broker-rates-chart.js';
import { byId, el, fill } from './dom.js';
import { retainedBrowser } from './retained-browser.js';

type Stats = Record<string, Record<string, unknown>>;

/** The broker statistics shown, with their labels. */
const LABELS: ReadonlyArray<readonly [string, string]> = [
  ['clientsConnected', 'clients connected'],
  ['clientsTotal', 'clients (with offline sessions)'],
  ['loadMessagesReceived1min', 'messages received /min (1 min average)'],
  ['messagesReceived', 'messages received'],
  ['messagesSent', 'messages sent'],
  ['messagesDropped', 'messages dropped (full queues)'],
  ['queuedMessages', 'messages queued for clients'],
  ['subscriptionsCount', 'subscriptions'],
  ['uptime', 'uptime (s)'],
  ['version', 'version'],
];

/** Fields of a component's statistics shown in its summary, at most. */
const SUMMARY_FIELDS = 8;

function shown(value: unknown): string {
  if (typeof value === 'number') return String(Math.round(value * 100) / 100);
  return value === null || value === undefined ? '' : String(value);
}

function showStats(stats: Stats): void {
  const broker = stats.broker ?? {};
  fill(
    byId('broker'),
    LABELS.map(([field, label]) =>
      el('tr', {}, el('th', {}, label), el('td', { class: 'num', 'data-stat': field }, shown(broker[field]))),
    ),
  );
  const components = Object.keys(stats)
    .filter((id) => id !== 'broker')
    .sort();
  fill(
    byId('components'),
    components.map((id) => {
      const s = stats[id]!;
      const summary = Object.keys(s)
        .filter((field) => typeof s[field] === 'number' || typeof s[field] === 'string')
        .slice(0, SUMMARY_FIELDS)
        .map((field) => `${field}=${shown(s[field])}`)
        .join(' ');
      return el(
        'tr',
        {},
        el('td', {}, id),
        el('td', {}, shown(s.state)),
        el('td', { class: 'stats' }, summary),
      );
    }),
  );
}

const clients = clientTable(
  byId<HTMLTableSectionElement>('clients'),
  byId('clients-summary'),
  byId('kick-error'),
);
const drawRates = rateChart('rate-chart', 'rate-latest');
retainedBrowser();

const events = new EventSource('/api/events?state=stats,clients,rates');
events.addEventListener('stats', (event) => {
  const stats = JSON.parse((event as MessageEvent<string>).data) as Stats;
  showStats(stats);
  const connected = stats.broker?.clientsConnected;
  clients.connected(typeof connected === 'number' ? connected : undefined);
});
events.addEventListener('clients', (event) => clients.show(JSON.parse((event as MessageEvent<string>).data)));
events.addEventListener('rates', (event) =>
  drawRates(JSON.parse((event as MessageEvent<string>).data) as RateColumns),
);
events.onopen = () => document.body.setAttribute('data-live', 'open');

whoami()
  .then((me) => clients.allowKick(me.role === 'write'))
  .catch(() => clients.allowKick(false));
