/**
 * SNMP traps sent with net-snmp's `snmptrap` (Debian package `snmp`) to busbar's trap receiver: a
 * v2c APC outlet-overload trap becomes a JSON event on busbar/events/<device>, named from the MIB
 * (test/fixtures/mibs/PowerNet-MIB.mib), and an alarm by an event rule on its `trap` point, which the
 * overload-cleared trap resolves; a coldStart alarm resolves once no coldStart came for a second; the
 * same trap as SNMPv1 (enterprise apc, specific 634) gets the same name (RFC 3584); a trap with a
 * community not configured is refused and counted, never published.
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/ports.js';
import { requireBinary } from '../../helpers/process.js';
import { startBridgeHarness, type BridgeHarness } from '../bridge-harness.js';

const run = promisify(execFile);
const MIBS = new URL('../../fixtures/mibs', import.meta.url).pathname;
const APC = '1.3.6.1.4.1.318';
const OUTLET_NAME = `${APC}.1.1.26.9.4.3.1.3`;

let harness: BridgeHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** `snmptrap` with no MIB loading of its own: numeric OIDs only, so the test names nothing twice. */
async function snmptrap(args: string[]): Promise<void> {
  const binary = requireBinary('/usr/bin/snmptrap', 'snmp');
  await run(binary, ['-M', '/dev/null', '-m', '', ...args], { env: { ...process.env, MIBS: '' } });
}

type Stats = { traps?: { received: number; refused: number } };
interface Event {
  device: string;
  version: string;
  trap: { oid: string; name?: string };
  uptimeS?: number;
  varbinds: { oid: string; name?: string; value: number | string }[];
}

/** A busbar receiving traps on a free port, and the events of the PDU so far. */
async function startReceiving(port?: number) {
  port ??= await freePort();
  harness = await startBridgeHarness({
    bridges: {
      snmp: {
        statsInterval: 100,
        mibDirs: [MIBS],
        traps: {
          address: '127.0.0.1',
          port,
          communities: ['traps-in'],
          users: [{ user: 'busbar-traps', authKey: 'trap-auth-123', privKey: 'trap-priv-456' }],
        },
        // The PDU that sends the traps, known by its address.
        devices: [{ name: 'pdu-r1-a', host: '127.0.0.1', port: 9, interval: '1h', timeout: 100, retries: 0 }],
      },
    },
    alarms: {
      evaluateInterval: '50ms',
      rules: [
        {
          kind: 'event',
          name: 'outlet_overload',
          measurement: 'trap',
          where: { trap: 'PowerNet-MIB::rPDUOutletOverload' },
          clearedBy: { trap: 'PowerNet-MIB::rPDUOutletOverloadCleared' },
        },
        // A trap that no other trap clears: over once none came for a second.
        {
          kind: 'event',
          name: 'cold_start',
          measurement: 'trap',
          where: { trap: '*coldStart' },
          resolveAfter: '1s',
        },
      ],
    },
  });
  const h = harness;
  const events = () => h.payloads('busbar/events/pdu-r1-a').map((p) => JSON.parse(p) as Event);
  return { h, port, events };
}

/**
 * Sends a trap until its event is there: UDP gives no receipt, and until the receiver's socket is
 * bound a trap is lost.
 */
async function sendUntilReceived(h: BridgeHarness, events: () => Event[], args: string[], what: string) {
  await h.until(
    () => {
      if (events().length === 0) void snmptrap(args).catch(() => undefined);
      return events().length > 0;
    },
    what,
    20_000,
  );
}

/** `snmptrap` arguments up to the trap: a v2c trap to busbar's receiver. */
const v2c = (port: number) => ['-v', '2c', '-c', 'traps-in', `127.0.0.1:${port}`];

interface Alarm {
  state: string;
  value: number;
  summary: string;
  labels: Record<string, string>;
}

/** The messages of `rule`'s alarms so far, oldest first. */
function alarms(h: BridgeHarness, rule: string): () => Alarm[] {
  return () =>
    h.messages
      .filter((m) => m.topic.startsWith(`busbar/alarms/${rule}/`))
      .map((m) => JSON.parse(m.payload) as Alarm);
}

describe('SNMP trap receiver', () => {
  it('turns a v2c trap from snmptrap into an event and an alarm, which its clearing trap resolves', async () => {
    const { h, port, events } = await startReceiving();
    await sendUntilReceived(
      h,
      events,
      [...v2c(port), '4242', `${APC}.0.634`, `${OUTLET_NAME}.3`, 's', 'db1-psu1'],
      'the trap event',
    );
    const event = events()[0]!;
    expect(event).toMatchObject({
      device: 'pdu-r1-a',
      version: '2c',
      trap: { oid: `${APC}.0.634`, name: 'PowerNet-MIB::rPDUOutletOverload' },
      uptimeS: 42.42,
      varbinds: [
        { oid: `${OUTLET_NAME}.3`, name: 'PowerNet-MIB::rPDU2OutletMeteredStatusName.3', value: 'db1-psu1' },
      ],
    });

    const overload = alarms(h, 'outlet_overload');
    await h.until(() => overload().length > 0, 'the alarm');
    expect(overload()[0]).toMatchObject({ state: 'firing', value: 1, labels: { device: 'pdu-r1-a' } });

    // The PDU says the overload is over: the same alarm resolves.
    const cleared = [...v2c(port), '', `${APC}.0.635`, `${OUTLET_NAME}.3`, 's', 'db1-psu1'];
    await h.until(
      () => {
        if (overload().at(-1)?.state === 'firing') void snmptrap(cleared).catch(() => undefined);
        return overload().at(-1)?.state === 'resolved';
      },
      'the alarm resolved by the clearing trap',
      20_000,
    );
    expect(overload().map((alarm) => alarm.state)).toEqual(['firing', 'resolved']);
    expect(overload().at(-1)!.summary).toMatch(/outlet_overload resolved after .* \(cleared\)$/);
  });

  it('resolves an alarm from a trap nothing clears once no such trap came for its resolveAfter', async () => {
    const { h, port, events } = await startReceiving();
    // coldStart (SNMPv2-MIB::snmpTraps.1): the agent restarted; it is never cleared.
    await sendUntilReceived(h, events, [...v2c(port), '', '1.3.6.1.6.3.1.1.5.1'], 'the coldStart event');
    const coldStart = alarms(h, 'cold_start');
    await h.until(() => coldStart().at(-1)?.state === 'resolved', 'the alarm resolved after its quiet time');
    expect(coldStart().map((alarm) => alarm.state)).toEqual(['firing', 'resolved']);
    expect(coldStart().at(-1)!.summary).toMatch(/cold_start resolved after .* \(no event for 1s\)$/);
    expect(alarms(h, 'outlet_overload')()).toEqual([]);
  });

  it('names a v1 trap as RFC 3584 maps it, and refuses an unknown community without publishing it', async () => {
    const { h, port, events } = await startReceiving();
    await sendUntilReceived(
      h,
      events,
      [
        '-v',
        '1',
        '-c',
        'traps-in',
        `127.0.0.1:${port}`,
        APC,
        '127.0.0.1',
        '6',
        '635',
        '100',
        `${OUTLET_NAME}.3`,
        's',
        'db1-psu1',
      ],
      'the v1 trap event',
    );
    expect(events()[0]).toMatchObject({
      version: '1',
      trap: { oid: `${APC}.0.635`, name: 'PowerNet-MIB::rPDUOutletOverloadCleared' },
      uptimeS: 1,
    });

    await snmptrap(['-v', '2c', '-c', 'not-ours', `127.0.0.1:${port}`, '', `${APC}.0.634`]);
    await h.until(() => (h.stats<Stats>('snmp')?.traps?.refused ?? 0) > 0, 'the refused trap counted');
    // Every trap received was the v1 one (sent until one arrived); the refused one published nothing.
    await h.until(() => h.stats<Stats>('snmp')?.traps?.received === events().length, 'the counts settled');
    expect(events().every((event) => event.version === '1')).toBe(true);
    expect(h.busbar.log.find('not-ours')).toEqual([]);
  });

  it('receives an SNMPv3 authPriv trap from a user it knows, and refuses one with the wrong key', async () => {
    const { h, port, events } = await startReceiving();
    const v3 = (privKey: string) => [
      '-v',
      '3',
      '-u',
      'busbar-traps',
      '-l',
      'authPriv',
      '-a',
      'SHA',
      '-A',
      'trap-auth-123',
      '-x',
      'AES',
      '-X',
      privKey,
      '-e',
      '0x8000000001020304',
      `127.0.0.1:${port}`,
      '',
      `${APC}.0.634`,
      `${OUTLET_NAME}.4`,
      's',
      'db1-psu2',
    ];
    await sendUntilReceived(h, events, v3('trap-priv-456'), 'the v3 trap event');
    expect(events()[0]).toMatchObject({
      version: '3',
      trap: { name: 'PowerNet-MIB::rPDUOutletOverload' },
      varbinds: [{ name: 'PowerNet-MIB::rPDU2OutletMeteredStatusName.4', value: 'db1-psu2' }],
    });
    await snmptrap(v3('wrong-priv-789'));
    await h.until(
      () => (h.stats<Stats>('snmp')?.traps?.refused ?? 0) > 0,
      'the trap with a wrong key refused',
    );
    expect(events().every((event) => event.varbinds[0]?.value === 'db1-psu2')).toBe(true);
    expect(h.busbar.log.find('wrong-priv-789')).toEqual([]);
  });

  it('says, rather than counting refused traps, when it cannot listen on its port', async () => {
    const taken = createSocket('udp4');
    taken.bind(0, '127.0.0.1');
    await once(taken, 'listening');
    try {
      const { h, port } = await startReceiving(taken.address().port);
      type Stats = { traps?: { refused: number; socketErrors: number } };
      await h.until(() => (h.stats<Stats>('snmp')?.traps?.socketErrors ?? 0) > 0, 'the socket error');
      expect(h.stats<Stats>('snmp')!.traps!.refused).toBe(0);
      expect(h.busbar.log.find(`SNMP trap receiver cannot use 127.0.0.1:${port}`).length).toBeGreaterThan(0);
    } finally {
      taken.close();
    }
  });
});
