/** InfluxQL quoting, and the groups of an answer GROUP BY * matched to series. */
import { describe, expect, it } from 'vitest';
import { presentTags, quoteIdentifier, quoteString, sameTags } from '../../history/influxql.js';

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
