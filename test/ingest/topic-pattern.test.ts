import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../ingest/template.js';
import { compileTopicPattern } from '../../ingest/topic-pattern.js';

describe('ingest topic patterns', () => {
  it('turns named segments into an MQTT filter and captures them', () => {
    const pattern = compileTopicPattern('sensors/+room/+measurement');
    expect(pattern.filter).toBe('sensors/+/+');
    expect(pattern.names).toEqual(['room', 'measurement']);
    expect(pattern.match('sensors/kitchen/temperature')).toEqual({
      room: 'kitchen',
      measurement: 'temperature',
    });
    expect(pattern.match('sensors/kitchen')).toBeUndefined();
    expect(pattern.match('sensors/kitchen/temperature/extra')).toBeUndefined();
    expect(pattern.match('other/kitchen/temperature')).toBeUndefined();
  });

  it('captures the rest of the topic with #name, and matches without capture for bare wildcards', () => {
    const pattern = compileTopicPattern('site/+/#path');
    expect(pattern.filter).toBe('site/+/#');
    expect(pattern.match('site/a/b/c')).toEqual({ path: 'b/c' });
    expect(compileTopicPattern('+/x').match('a/x')).toEqual({});
  });

  it('does not let leading wildcards match $SYS topics [MQTT-4.7.2-1]', () => {
    expect(compileTopicPattern('#all').match('$SYS/broker/uptime')).toBeUndefined();
    expect(compileTopicPattern('+a/broker/uptime').match('$SYS/broker/uptime')).toBeUndefined();
  });

  it('refuses malformed patterns with a reason', () => {
    expect(() => compileTopicPattern('a/#x/b')).toThrow(/# must be the last level/);
    expect(() => compileTopicPattern('a/b+/c')).toThrow(/whole level/);
  });
});

describe('ingest templates', () => {
  it('fills {name} from captures', () => {
    const template = compileTemplate('{room}-{measurement}', new Set(['room', 'measurement']), 'x');
    expect(template({ room: 'hall', measurement: 'co2' })).toBe('hall-co2');
    expect(compileTemplate('fixed', new Set(), 'x')({})).toBe('fixed');
  });

  it('refuses an unknown capture name, naming where', () => {
    expect(() => compileTemplate('{nope}', new Set(['room']), 'ingest.rules[0].source')).toThrow(
      /ingest.rules\[0\].source: "\{nope\}" is not a named segment/,
    );
  });
});
