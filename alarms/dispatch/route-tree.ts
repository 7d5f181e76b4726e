/**
 * The routing tree, with Alertmanager's semantics (dispatch/route.go): an alarm enters at the root
 * and goes down to the first child whose `matchers` match it, depth first; a matching child with
 * `continue: true` lets matching go on to its later siblings; when no child of a matching route
 * matches, that route takes the alarm itself. Each route the alarm ends at groups it with its own
 * `groupBy`, `groupWait`, `groupInterval` and `repeatInterval`; a child inherits those it does not
 * set from its parent, and the root's are the `alarms.notify` settings. Time intervals are not
 * inherited (as in Alertmanager).
 *
 * The root's receivers are the flat routes of `notifiers.routes` (those on a topic filter): what
 * every configuration without a tree had. The routes of the tree are the entries with `matchers`,
 * child `routes` or any of the settings above; their notifications name the route (its path,
 * `team-db/pager`) and only that route of the notifiers delivers them.
 */
import { compileLabelMatchers, type LabelPredicate } from '../silence.js';
import type { AlarmMessage } from '../alarm.js';
import type { LabelMatchers, NotifyConfig } from './config.js';
import { compileTimeIntervals, type IntervalCheck, type TimeIntervals } from './time-intervals.js';

/** The grouping settings a route carries (durations in ms). */
export interface GroupSettings {
  readonly groupBy: readonly string[];
  readonly groupWait: number;
  readonly groupInterval: number;
  readonly repeatInterval: number;
}

/** What a route of the tree says about grouping and matching (parsed config, durations in ms). */
export interface TreeRouteConfig {
  readonly name: string;
  readonly matchers?: LabelMatchers | undefined;
  readonly continue?: boolean | undefined;
  readonly groupBy?: readonly string[] | undefined;
  readonly groupWait?: number | undefined;
  readonly groupInterval?: number | undefined;
  readonly repeatInterval?: number | undefined;
  readonly muteTimeIntervals?: readonly string[] | undefined;
  readonly activeTimeIntervals?: readonly string[] | undefined;
  readonly routes?: readonly TreeRouteConfig[] | undefined;
}

/** Whether a top-level entry of `notifiers.routes` is a route of the tree (else a flat route). */
export function isTreeRoute(route: TreeRouteConfig): boolean {
  return (
    route.matchers !== undefined ||
    (route.routes?.length ?? 0) > 0 ||
    route.continue !== undefined ||
    route.groupBy !== undefined ||
    route.groupWait !== undefined ||
    route.groupInterval !== undefined ||
    route.repeatInterval !== undefined ||
    (route.muteTimeIntervals?.length ?? 0) > 0 ||
    (route.activeTimeIntervals?.length ?? 0) > 0
  );
}

export interface RouteNode {
  /** `parent/child` names; undefined for the root. */
  readonly path: string | undefined;
  readonly matches: LabelPredicate;
  readonly continue: boolean;
  readonly settings: GroupSettings;
  /** True while the route's time intervals hold back its notifications. */
  readonly muted: (now: number) => boolean;
  readonly children: readonly RouteNode[];
}

const NEVER_MUTED = (): boolean => false;

function mutedBy(
  route: TreeRouteConfig,
  intervals: ReadonlyMap<string, IntervalCheck>,
): (now: number) => boolean {
  const mute = (route.muteTimeIntervals ?? []).map((name) => intervals.get(name)!);
  const active = (route.activeTimeIntervals ?? []).map((name) => intervals.get(name)!);
  if (mute.length === 0 && active.length === 0) return NEVER_MUTED;
  return (now) =>
    mute.some((holds) => holds(now)) || (active.length > 0 && !active.some((holds) => holds(now)));
}

function buildNode(
  route: TreeRouteConfig,
  parent: { readonly path: string | undefined; readonly settings: GroupSettings },
  intervals: ReadonlyMap<string, IntervalCheck>,
): RouteNode {
  const path = parent.path === undefined ? route.name : `${parent.path}/${route.name}`;
  const settings: GroupSettings = {
    groupBy: route.groupBy ?? parent.settings.groupBy,
    groupWait: route.groupWait ?? parent.settings.groupWait,
    groupInterval: route.groupInterval ?? parent.settings.groupInterval,
    repeatInterval: route.repeatInterval ?? parent.settings.repeatInterval,
  };
  return {
    path,
    matches: compileLabelMatchers(route.matchers ?? {}),
    continue: route.continue ?? false,
    settings,
    muted: mutedBy(route, intervals),
    children: (route.routes ?? []).map((child) => buildNode(child, { path, settings }, intervals)),
  };
}

/** Every path of the tree under `routes` (the top-level routes of the tree), parents first. */
export function treePaths(routes: readonly TreeRouteConfig[], parent?: string): string[] {
  return routes.flatMap((route) => {
    const path = parent === undefined ? route.name : `${parent}/${route.name}`;
    return [path, ...treePaths(route.routes ?? [], path)];
  });
}

export class RouteTree {
  readonly root: RouteNode;
  private readonly nodes = new Map<string | undefined, RouteNode>();

  /** `routes`: every entry of `notifiers.routes`; the flat ones stay the root's receivers. */
  constructor(root: NotifyConfig, routes: readonly TreeRouteConfig[] = [], intervals: TimeIntervals = {}) {
    const settings: GroupSettings = root;
    const checks = compileTimeIntervals(intervals);
    const children = routes
      .filter(isTreeRoute)
      .map((route) => buildNode(route, { path: undefined, settings }, checks));
    this.root = {
      path: undefined,
      matches: () => true,
      continue: false,
      settings,
      muted: NEVER_MUTED,
      children,
    };
    const index = (node: RouteNode): void => {
      this.nodes.set(node.path, node);
      node.children.forEach(index);
    };
    index(this.root);
  }

  /** Whether `path` names a route of the tree now (a saved group's may be gone from the config). */
  has(path: string): boolean {
    return this.nodes.has(path);
  }

  /** The route at `path`; the root for the root's own groups and for a route no longer configured. */
  node(path: string | undefined): RouteNode {
    return this.nodes.get(path) ?? this.root;
  }

  /** The routes an alarm ends at (at least the root). */
  match(alarm: Pick<AlarmMessage, 'rule' | 'series' | 'severity' | 'labels'>): RouteNode[] {
    return matchNode(this.root, alarm);
  }
}

function matchNode(
  node: RouteNode,
  alarm: Pick<AlarmMessage, 'rule' | 'series' | 'severity' | 'labels'>,
): RouteNode[] {
  if (!node.matches(alarm)) return [];
  const found: RouteNode[] = [];
  for (const child of node.children) {
    const matched = matchNode(child, alarm);
    found.push(...matched);
    if (matched.length > 0 && !child.continue) break;
  }
  return found.length > 0 ? found : [node];
}
