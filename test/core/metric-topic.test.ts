import { describe, expect, it } from 'vitest';
import { createTopics, parseMetricTopic } from '../../core/topics.js';

describe('parseMetricTopic', () => {
  const topics = createTopics('site/busbar');

  it('splits <base>/metrics/<source>/<measurement>', () => {
    expect(parseMetricTopic(topics, 'site/busbar/metrics/h12/cpu')).toEqual({
      source: 'h12',
      measurement: 'cpu',
    });
    expect(parseMetricTopic(createTopics(), 'busbar/metrics/a b/m-1')).toEqual({
      source: 'a b',
      measurement: 'm-1',
    });
  });

  it.each([
    ['another base', 'busbar/metrics/h12/cpu'],
    ['a base that only starts the same', 'site/busbarx/metrics/h12/cpu'],
    ['another kind', 'site/busbar/status/h12'],
    ['no measurement level', 'site/busbar/metrics/h12'],
    ['an empty source', 'site/busbar/metrics//cpu'],
    ['an empty measurement', 'site/busbar/metrics/h12/'],
    ['a third level', 'site/busbar/metrics/h12/cpu/core0'],
    ['nothing after the prefix', 'site/busbar/metrics/'],
    ['the kind without a slash', 'site/busbar/metrics'],
  ])('is undefined for %s (%s)', (_, topic) => {
    expect(parseMetricTopic(topics, topic)).toBeUndefined();
  });
});
