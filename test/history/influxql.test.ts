/** InfluxQL quoting and the series keys SHOW SERIES prints, with their backslash escapes. */
import { describe, expect, it } from 'vitest';
import {
  parseSeriesKey,
  presentTags,
  quoteIdentifier,
  quoteString,
  sameTags,
} from '../../history/influxql.js';

describe('series keys', () => {
  it('splits measurement and tags, honouring escaped commas, equals signs and spaces', () => {
    expect(parseSeriesKey('cpu,cpu=cpu-total,host=web1')).toEqual({
      measurement: 'cpu',
      tags: { cpu: 'cpu-total', host: 'web1' },
    });
    expect(parseSeriesKey('disk\\ io,path=C:\\,\\ D:,k\\=ey=a\\=b')).toEqual({
      measurement: 'disk io',
      tags: { path: 'C:, D:', 'k=ey': 'a=b' },
    });
    expect(parseSeriesKey('power')).toEqual({ measurement: 'power', tags: {} });
  });
});

describe('quoting', () => {
  it('quotes identifiers and strings so that quotes and backslashes in names stay names', () => {
    expect(quoteIdentifier('usage "idle"\\')).toBe('"usage \\"idle\\"\\\\"');
    expect(quoteString("it's")).toBe("'it\\'s'");
  });
});

describe('groups of GROUP BY *', () => {
  it('match a series by its own tags; the empty values of tags it lacks are left out', () => {
    const group = presentTags({ host: 'web1', path: '' });
    expect(group).toEqual({ host: 'web1' });
    expect(sameTags(group, { host: 'web1' })).toBe(true);
    expect(sameTags(group, { host: 'web1', path: '/' })).toBe(false);
    expect(sameTags(group, { host: 'web2' })).toBe(false);
  });
});
