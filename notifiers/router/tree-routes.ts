/**
 * The routes of the routing tree as the router delivers them. The alarms component walks the tree and
 * groups alarms per route (alarms/dispatch/route-tree.ts); each of its notifications names its route's
 * path. Here every route of the tree becomes one route of the router, named by its path, with the
 * targets, failover, templates and priority it inherits from its parents where it sets none.
 */
import { isTreeRoute } from '../../alarms/dispatch/route-tree.js';
import type { ChildRouteConfig, RouteConfig } from '../config.js';

/** Every route of the tree, parents first, each complete (named by its path, nothing left to inherit). */
export function treeRoutes(routes: readonly RouteConfig[]): RouteConfig[] {
  const flat: RouteConfig[] = [];
  const walk = (child: ChildRouteConfig, parent: RouteConfig): void => {
    const route: RouteConfig = {
      ...parent,
      name: `${parent.name}/${child.name}`,
      targets: child.targets ?? parent.targets,
      failover: child.failover ?? parent.failover,
      title: child.title ?? parent.title,
      message: child.message ?? parent.message,
      priority: child.priority ?? parent.priority,
    };
    flat.push(route);
    for (const grandchild of child.routes ?? []) walk(grandchild, route);
  };
  for (const route of routes.filter(isTreeRoute)) {
    flat.push(route);
    for (const child of route.routes ?? []) walk(child, route);
  }
  return flat;
}
