/**
 * The filters and the reading back of levels that components take from core/topics.ts instead of
 * building topics themselves: each filter matches what the builders produce, and nothing of another
 * kind.
 */
import { describe, expect, it } from 'vitest';
import { createTopics } from '../../core/topics.js';
import { topicMatches } from '../../core/topic-match.js';

const topics = createTopics('site/busbar');

describe('filters', () => {
  it('metricsOf matches the metrics of one source only, its name escaped', () => {
    const filter = topics.metricsOf('pdu/1');
    expect(filter).toBe('site/busbar/metrics/pdu_1/+');
    expect(topicMatches(filter, topics.metrics('pdu/1', 'outlet'))).toBe(true);
    expect(topicMatches(filter, topics.metrics('pdu2', 'outlet'))).toBe(false);
  });

  it('allStatuses and allInventories match every source, not bridge statuses', () => {
    expect(topicMatches(topics.allStatuses, topics.status('web1'))).toBe(true);
    expect(topicMatches(topics.allStatuses, topics.bridgeStatus('central'))).toBe(false);
    expect(topicMatches(topics.allInventories, topics.inventory('web1'))).toBe(true);
    expect(topicMatches(topics.allInventories, topics.status('web1'))).toBe(false);
  });

  it('allAlarms and allAlarmStates match alarm states; allStats every component', () => {
    const alarm = topics.alarm('disk', 'web1.disk.used{path=/}');
    expect(topicMatches(topics.allAlarms, alarm)).toBe(true);
    expect(topicMatches(topics.allAlarmStates, alarm)).toBe(true);
    expect(topicMatches(topics.allAlarmStates, topics.ack('disk', 'web1'))).toBe(false);
    expect(topicMatches(topics.allStats, topics.stats('broker'))).toBe(true);
    expect(topicMatches(topics.allStats, topics.status('broker'))).toBe(false);
  });
});

describe('levelsAfter', () => {
  it('reads back the levels the builders wrote', () => {
    expect(topics.levelsAfter('alarms', topics.alarm('disk', 'web1/sda'))).toBe('disk/web1_sda');
    expect(topics.levelsAfter('status', topics.status('web1'))).toBe('web1');
    expect(topics.levelsAfter('stats', topics.stats('influxdb'))).toBe('influxdb');
    expect(topics.levelsAfter('inventory', topics.inventory('pdu-1'))).toBe('pdu-1');
  });
});
