/** Topic remapping, loop-prevention memory and the `remotes` config section, without servers. */
import { describe, expect, it } from 'vitest';
import { remotesSchema } from '../../remotes/config.js';
import { EchoFilter } from '../../remotes/echo-filter.js';
import { compileRules, inboundRoute, toLocal, toRemote } from '../../remotes/topic-map.js';
import { parseConfig } from '../../config/load.js';

describe('topic rules', () => {
  const [out, both, into] = compileRules([
    { pattern: 'metrics/#', direction: 'out', qos: 1, localPrefix: 'busbar/', remotePrefix: 'sites/a/' },
    { pattern: 'shared/+', direction: 'both', qos: 0, localPrefix: '', remotePrefix: 'central/' },
    { pattern: '#', direction: 'in', qos: 1, localPrefix: 'from-central/', remotePrefix: 'cmd/' },
  ]);

  it('swaps the local prefix for the remote one going out, and back coming in', () => {
    expect(toRemote(out!, 'busbar/metrics/web1/cpu')).toBe('sites/a/metrics/web1/cpu');
    expect(toRemote(out!, 'busbar/other')).toBeUndefined();
    expect(toLocal(out!, 'sites/a/metrics/x')).toBeUndefined(); // an `out` rule brings nothing in
    expect(toRemote(both!, 'shared/x')).toBe('central/shared/x');
    expect(toLocal(both!, 'central/shared/x')).toBe('shared/x');
    expect(toLocal(into!, 'cmd/a/b')).toBe('from-central/a/b');
    expect(toRemote(into!, 'from-central/a/b')).toBeUndefined();
  });

  it('routes an incoming message by the first rule that brings it in', () => {
    expect(inboundRoute([out!, both!, into!], 'central/shared/y')).toMatchObject({ localTopic: 'shared/y' });
    expect(inboundRoute([out!, both!, into!], 'elsewhere')).toBeUndefined();
  });
});

describe('echo memory', () => {
  it('takes one arrival per remembered publication as its echo, and forgets after the TTL', () => {
    let now = 0;
    const echoes = new EchoFilter(1_000, 10, () => now);
    const payload = Buffer.from('21.5');
    echoes.remember('t', payload);
    echoes.remember('t', payload);
    expect(echoes.isEcho('t', Buffer.from('other'))).toBe(false);
    expect(echoes.isEcho('u', payload)).toBe(false);
    expect(echoes.isEcho('t', payload)).toBe(true);
    expect(echoes.isEcho('t', payload)).toBe(true);
    expect(echoes.isEcho('t', payload)).toBe(false);
    echoes.remember('t', payload);
    now = 2_000;
    expect(echoes.isEcho('t', payload)).toBe(false);
    expect(echoes.size).toBe(0);
  });

  it('stays bounded', () => {
    const echoes = new EchoFilter(60_000, 3);
    for (let i = 0; i < 10; i += 1) echoes.remember(`t/${i}`, Buffer.from('x'));
    expect(echoes.size).toBe(3);
    expect(echoes.isEcho('t/0', Buffer.from('x'))).toBe(false);
    expect(echoes.isEcho('t/9', Buffer.from('x'))).toBe(true);
  });
});

describe('remotes config', () => {
  const bridge = { name: 'central', addresses: ['mqtt://central:1883'], rules: [{ pattern: 'a/#' }] };

  it('fills every default from the schema', () => {
    const config = parseConfig({ remotes: { bridges: [bridge] } });
    expect(config.remotes.dataDir).toBe('data/bridges');
    expect(config.remotes.bridges[0]).toMatchObject({
      protocolVersion: 4,
      cleanSession: false,
      reconnectDelay: 1_000,
      maxReconnectDelay: 30_000,
      rules: [{ pattern: 'a/#', direction: 'out', qos: 1, localPrefix: '', remotePrefix: '' }],
    });
  });

  it('names the path and the reason of every problem', () => {
    const result = remotesSchema.safeParse({
      bridges: [
        { ...bridge, addresses: ['http://x', 'mqtt://user:secret@central'], rules: [{ pattern: 'a/#/b' }] },
        { ...bridge, rules: [{ pattern: 'a', remotePrefix: 'x/+/', direction: 'sideways' }], port: 1 },
      ],
    });
    expect(result.success).toBe(false);
    const issues = result.error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        'bridges.0.addresses.0: protocol http: is not mqtt, mqtts, ws or wss',
        'bridges.0.addresses.1: put credentials in `username` and `password`, not in the URL',
        'bridges.0.rules.0.pattern: `#` must be a whole level and the last one [MQTT-4.7.1-2]',
        'bridges.1.rules.0.remotePrefix: a prefix has no wildcards',
        expect.stringMatching(/^bridges\.1\.rules\.0\.direction: /),
        expect.stringMatching(/^bridges\.1: .*port/),
      ]),
    );
    // The rejected URL's password is not repeated in any message.
    expect(issues.join('\n')).not.toContain('secret');
  });

  it('refuses two bridges with the same name (they would share a queue file)', () => {
    const result = remotesSchema.safeParse({ bridges: [bridge, bridge] });
    expect(result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([
      'bridges.1.name: bridge "central" is defined twice',
    ]);
  });
});
