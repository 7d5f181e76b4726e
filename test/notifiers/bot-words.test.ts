/** The bot's reading of words: commands, loose series selection, suggestions, message splitting, redaction. */
import { describe, expect, it } from 'vitest';
import { callbackData, parseCallbackData } from '../../notifiers/bot/callback-data.js';
import { splitRange } from '../../notifiers/bot/commands/graph.js';
import { formatValue } from '../../notifiers/bot/format.js';
import { parseCommand } from '../../notifiers/bot/parse.js';
import { describeError } from '../../notifiers/bot/redact.js';
import { selectSeries } from '../../notifiers/bot/select.js';
import { splitMessage } from '../../notifiers/bot/send.js';
import { editDistance, suggest } from '../../notifiers/bot/suggest.js';
import type { SeriesInfo } from '../../sinks/history/reader.js';
import { seriesName } from '../../sinks/history/series-name.js';

function series(
  source: string,
  measurement: string,
  field: string,
  tags: Record<string, string> = {},
): SeriesInfo {
  return {
    id: 0,
    name: seriesName(source, measurement, field, tags),
    source,
    measurement,
    field,
    tags,
    type: 'float',
  };
}

const ALL = [
  series('web1', 'cpu', 'usage_user', { host: 'web1' }),
  series('web1', 'cpu', 'usage_system', { host: 'web1' }),
  series('web1', 'disk', 'used_percent', { host: 'web1', path: '/' }),
  series('web1', 'disk', 'used_percent', { host: 'web1', path: '/data' }),
  series('web2', 'cpu', 'usage_user', { host: 'web2' }),
  series('pdu1', 'outlet', 'power_w', { outlet: '3' }),
];

const names = (picked: SeriesInfo[]): string[] => picked.map((one) => one.name);

describe('commands', () => {
  it('reads plain, lower-case and slash forms alike, with the bot name and arguments', () => {
    expect(parseCommand('STATUS web1 cpu')).toEqual({
      name: 'status',
      word: 'STATUS',
      args: ['web1', 'cpu'],
      slash: false,
    });
    expect(parseCommand('  graph   web1  disk / ')).toMatchObject({
      name: 'graph',
      args: ['web1', 'disk', '/'],
    });
    expect(parseCommand('/silence@busbar_bot web1 2h')).toMatchObject({
      name: 'silence',
      slash: true,
      args: ['web1', '2h'],
    });
    expect(parseCommand('/Help')).toMatchObject({ name: 'help', slash: true });
    expect(parseCommand('hello there')).toMatchObject({ name: undefined, word: 'hello' });
    expect(parseCommand('   ')).toBeUndefined();
  });

  it('takes a last word that reads as a range off the GRAPH words', () => {
    expect(splitRange(['web1', 'cpu', '6h'])).toEqual({ words: ['web1', 'cpu'], range: '6h' });
    expect(splitRange(['web1', '08:00..12:00'])).toEqual({ words: ['web1'], range: '08:00..12:00' });
    expect(splitRange(['web1', 'disk', '/'])).toEqual({ words: ['web1', 'disk', '/'], range: undefined });
    expect(splitRange(['6h'])).toEqual({ words: ['6h'], range: undefined });
  });
});

describe('loose selection', () => {
  it('matches each word against source, measurement, field, field words and tag values', () => {
    expect(names(selectSeries(ALL, ['web1', 'cpu']).series)).toEqual([ALL[0]!.name, ALL[1]!.name]);
    expect(names(selectSeries(ALL, ['WEB1', 'Disk', '/']).series)).toEqual([ALL[2]!.name]);
    expect(names(selectSeries(ALL, ['user']).series)).toEqual([ALL[0]!.name, ALL[4]!.name]);
    expect(names(selectSeries(ALL, ['cpu.usage_user', 'web2']).series)).toEqual([ALL[4]!.name]);
    expect(names(selectSeries(ALL, ['pdu1', '3']).series)).toEqual([ALL[5]!.name]);
  });

  it('takes patterns over the whole name or over a part', () => {
    expect(names(selectSeries(ALL, ['web*', 'cpu', 'usage_user']).series)).toEqual([
      ALL[0]!.name,
      ALL[4]!.name,
    ]);
    expect(names(selectSeries(ALL, ['web1/disk/*']).series)).toEqual([ALL[2]!.name, ALL[3]!.name]);
    expect(names(selectSeries(ALL, ['web1/disk/used_percent{host=web1,path=/data}']).series)).toEqual([
      ALL[3]!.name,
    ]);
  });

  it('names the words that match nothing, and returns nothing for a combination no series has', () => {
    expect(selectSeries(ALL, ['web1', 'cpuu', 'x'])).toEqual({ series: [], unknown: ['cpuu', 'x'] });
    expect(selectSeries(ALL, ['web2', 'disk'])).toEqual({ series: [], unknown: [] });
  });
});

describe('suggestions', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('wbe1', 'web1')).toBe(1);
    expect(editDistance('disk', 'dsik')).toBe(1);
    expect(editDistance('cpu', 'memory')).toBe(6);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('proposes the closest names, nearest first, and nothing for a word like none', () => {
    const known = ['web1', 'web2', 'db1', 'cpu', 'disk', 'disk_used', 'memory_available_low'];
    expect(suggest('wbe1', known)).toEqual(['web1', 'db1', 'web2']);
    expect(suggest('wbe1', known, 1)).toEqual(['web1']);
    expect(suggest('dsk', known)).toEqual(['disk', 'db1']);
    expect(suggest('disk', known)).toEqual(['disk', 'disk_used']);
    expect(suggest('memory', known)).toEqual(['memory_available_low']);
    expect(suggest('zzzzzz', known)).toEqual([]);
  });
});

describe('text for Telegram', () => {
  it('gives values their unit from the field name', () => {
    expect(formatValue(42.25, 'used_percent')).toBe('42.25 %');
    expect(formatValue(3 * 1024 ** 3, 'free_bytes')).toBe('3 GiB');
    expect(formatValue(230, 'power_w')).toBe('230 W');
    expect(formatValue(7, 'count')).toBe('7');
    expect(formatValue('ok', 'state')).toBe('ok');
  });

  it('splits long HTML at line breaks only, each part within the limit', () => {
    const lines = Array.from({ length: 300 }, (_, i) => `<b>line ${i}</b> ${'x'.repeat(20)}`);
    const parts = splitMessage(lines.join('\n'), 4096);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((part) => part.length <= 4096)).toBe(true);
    expect(parts.join('\n')).toBe(lines.join('\n'));
  });

  it('keeps callback data within 64 bytes and reads it back', () => {
    const data = callbackData('silence', {
      kind: 'alarm',
      key: `disk_used/${'web1.disk.used_percent{host=web1,path=/var/lib/x}'.repeat(4)}`,
    });
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
    expect(parseCallbackData(data)).toMatchObject({ action: 'silence', kind: 'alarm' });
    expect(parseCallbackData('bb:x:a123')).toBeUndefined();
    expect(parseCallbackData(undefined)).toBeUndefined();
  });

  it('takes the token out of error texts and their causes', () => {
    const token = '123:secret-token';
    const error = new Error(`request to https://api.telegram.org/bot${token}/getMe failed`, {
      cause: Object.assign(new Error(`connect to /bot${token}/ refused`), { code: 'ECONNREFUSED' }),
    });
    const text = describeError(error, token);
    expect(text).not.toContain('secret-token');
    expect(text).toBe(
      'request to https://api.telegram.org/bot<token>/getMe failed: connect to /bot<token>/ refused (ECONNREFUSED)',
    );
  });
});
