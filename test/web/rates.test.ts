/**
 * The rates the broker page shows, fed the documents the broker publishes at chosen server times:
 * messages per second between two statistics publications (a repeated document adds nothing, a
 * broker restart no negative rate), and each client's receive rate between two client lists, back
 * to 0 once no list came for two statistics periods (the broker republishes only when counts move).
 */
import { describe, expect, it } from 'vitest';
import { BrokerRates } from '../../web/broker-rates.js';
import { ClientRates } from '../../web/client-rates.js';

const stats = (received: number, sent: number, uptime: number) => ({
  messagesReceived: received,
  messagesSent: sent,
  uptime,
});

describe('broker messages per second', () => {
  it('divides by the time the server received each publication', () => {
    const rates = new BrokerRates();
    expect(rates.add(stats(100, 50, 10), 1_000_000)).toBe(false);
    expect(rates.add(stats(600, 150, 20), 1_010_000)).toBe(true);
    // The same document again (a retained copy after a resubscribe): nothing new.
    expect(rates.add(stats(600, 150, 20), 1_012_000)).toBe(false);
    expect(rates.add(stats(700, 150, 30), 1_020_000)).toBe(true);
    expect(rates.columns()).toEqual({ at: [1010, 1020], received: [50, 10], sent: [10, 0] });
  });

  it('starts over after a broker restart and keeps at most its window of points', () => {
    const rates = new BrokerRates(2);
    rates.add(stats(1000, 1000, 100), 0);
    rates.add(stats(2000, 2000, 110), 10_000);
    // Restarted: counters and uptime back near 0; no rate across it.
    expect(rates.add(stats(5, 5, 1), 20_000)).toBe(false);
    rates.add(stats(105, 5, 11), 30_000);
    rates.add(stats(305, 5, 21), 40_000);
    expect(rates.columns()).toEqual({ at: [30, 40], received: [10, 20], sent: [0, 0] });
  });
});

describe('client receive rates', () => {
  const client = (delivered: number, since = '2026-12-07T00:00:00.000Z') => ({
    clientId: 'sensor',
    connectedSince: since,
    delivered,
  });

  it('measures between two lists of the same connection', () => {
    const rates = new ClientRates();
    rates.update([client(0)], 0);
    expect(rates.clients[0]!.deliveredPerSecond).toBe(0);
    rates.update([client(30)], 10_000);
    expect(rates.clients[0]!.deliveredPerSecond).toBe(3);
    // A new connection of the same id starts again.
    rates.update([client(5, '2026-12-07T00:01:00.000Z')], 20_000);
    expect(rates.clients[0]!.deliveredPerSecond).toBe(0);
  });

  it('drops to 0 once no list came for two statistics periods', () => {
    const rates = new ClientRates();
    rates.update([client(0)], 0);
    rates.update([client(30)], 10_000);
    expect(rates.statsArrived(10_000)).toBe(false);
    expect(rates.statsArrived(20_000)).toBe(false);
    expect(rates.clients[0]!.deliveredPerSecond).toBe(3);
    // Statistics every 10 s and no list for more than two periods and 2 s: the counts did not move.
    expect(rates.statsArrived(30_000)).toBe(false);
    expect(rates.statsArrived(40_000)).toBe(true);
    expect(rates.clients[0]!.deliveredPerSecond).toBe(0);
    expect(rates.statsArrived(50_000)).toBe(false);
  });
});
