/**
 * The latest value of every series, grouped by some of their tags, and the aggregate of each group over
 * the series seen recently: what recording rules (record.ts) publish and aggregate alarm rules
 * (engine.ts) compare with their limit. A series that stops reporting drops out after `window`.
 */
import { seriesKey } from './series.js';

export type AggregateOp = 'sum' | 'avg' | 'min' | 'max' | 'count';

export const AGGREGATES: Record<AggregateOp, (values: readonly number[]) => number> = {
  sum: (values) => values.reduce((total, value) => total + value, 0),
  avg: (values) => values.reduce((total, value) => total + value, 0) / values.length,
  min: (values) => Math.min(...values),
  max: (values) => Math.max(...values),
  count: (values) => values.length,
};

export interface Member {
  /** What the series contributes (NaN: nothing yet, e.g. a rate's first reading). */
  value: number;
  /** When it was last seen. */
  at: number;
  /** The value read, for rates. */
  raw: number;
}

export interface Group {
  readonly key: string;
  readonly tags: Readonly<Record<string, string>>;
  /** member (series) key → its latest value */
  readonly members: Map<string, Member>;
}

export class Groups {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly by: readonly string[]) {}

  /** The group of a series with these tags (created when new); undefined when a `by` tag is missing. */
  of(tags: Readonly<Record<string, string>>): Group | undefined {
    const groupTags: Record<string, string> = {};
    for (const key of this.by) {
      const tag = Object.hasOwn(tags, key) ? tags[key] : undefined;
      if (tag === undefined) return undefined;
      groupTags[key] = tag;
    }
    const key = seriesKey({ source: '', measurement: '', field: '', tags: groupTags });
    let group = this.groups.get(key);
    if (!group) {
      group = { key, tags: groupTags, members: new Map() };
      this.groups.set(key, group);
    }
    return group;
  }

  /**
   * Each group's values of the members seen within `window` of `now`; members older than that are
   * dropped, and so is a group left without members (after being yielded once with no values).
   */
  *collect(now: number, window: number): IterableIterator<{ group: Group; values: number[] }> {
    for (const [key, group] of this.groups) {
      const values: number[] = [];
      for (const [member, { value, at }] of group.members) {
        if (now - at > window) group.members.delete(member);
        else if (!Number.isNaN(value)) values.push(value);
      }
      if (group.members.size === 0) this.groups.delete(key);
      yield { group, values };
    }
  }
}
