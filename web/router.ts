/**
 * The web's route table: method and path pattern to handler, with the role each route needs. A
 * path no route has is a 404 naming it; a path with routes for other methods a 405 naming them (and
 * an `Allow` header, RFC 9110 §15.5.6). HEAD is answered by a GET route.
 *
 * A small table of our own rather than find-my-way or Fastify: the web has some 40 routes, matched
 * per request by a walk over their segments, and the server keeps its own connection limits,
 * authentication and error replies, which Fastify would want to own.
 *
 * Patterns: literal segments, `:name` for one segment and a final `*name` for the rest of the path
 * (a topic: `/api/publish/*topic`). Parameters are percent-decoded (a bad escape is a URIError, a 400).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Identified, Principal } from './auth.js';
import { HttpError } from './http.js';

/** Who may call a route: anyone, or a principal with at least this role. */
export type Access = 'public' | 'read' | 'write';

export interface RouteContext {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
  /** The query parameters, as the route's `query` schema parsed them (else as sent). */
  readonly query: Readonly<Record<string, unknown>>;
  /** Undefined on public routes only. */
  readonly principal: Principal | undefined;
  readonly identified: Identified | undefined;
}

export type RouteHandler = (context: RouteContext) => Promise<void> | void;

export interface RouteOptions {
  readonly access: Access;
  /** A page: a browser without credentials is sent to the login form rather than given a 401. */
  readonly page?: boolean;
  /** The query parameters it takes; others, or bad values, are a 400 naming each problem. */
  readonly query?: z.ZodType<Record<string, unknown>>;
}

export interface Route extends RouteOptions {
  readonly method: string;
  readonly pattern: string;
  readonly handler: RouteHandler;
}

type Segment = { readonly literal: string } | { readonly param: string } | { readonly rest: string };

interface CompiledRoute {
  readonly route: Route;
  readonly segments: readonly Segment[];
}

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: Route; readonly params: Record<string, string> }
  | { readonly kind: 'not found' }
  | { readonly kind: 'method not allowed'; readonly allow: readonly string[] };

function compile(pattern: string): Segment[] {
  if (!pattern.startsWith('/')) throw new Error(`route pattern ${pattern}: must start with /`);
  const parts = pattern.slice(1).split('/');
  return parts.map((part, index) => {
    if (part.startsWith(':')) return { param: part.slice(1) };
    if (part.startsWith('*')) {
      if (index !== parts.length - 1) throw new Error(`route pattern ${pattern}: * only last`);
      return { rest: part.slice(1) };
    }
    return { literal: part };
  });
}

/** The parameters when `path`'s segments fit the pattern; undefined otherwise. */
function fit(segments: readonly Segment[], parts: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if ('rest' in segment) {
      const rest = parts.slice(i).join('/');
      if (rest === '') return undefined;
      params[segment.rest] = decodeURIComponent(rest);
      return params;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if ('literal' in segment) {
      if (part !== segment.literal) return undefined;
    } else {
      if (part === '') return undefined;
      params[segment.param] = decodeURIComponent(part);
    }
  }
  return parts.length === segments.length ? params : undefined;
}

export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(
    method: string | readonly string[],
    pattern: string,
    options: RouteOptions,
    handler: RouteHandler,
  ): this {
    const segments = compile(pattern);
    for (const one of typeof method === 'string' ? [method] : method)
      this.routes.push({ route: { method: one, pattern, handler, ...options }, segments });
    return this;
  }

  match(method: string, path: string): RouteMatch {
    const parts = path.slice(1).split('/');
    const allow = new Set<string>();
    const wanted = method === 'HEAD' ? 'GET' : method;
    for (const { route, segments } of this.routes) {
      const params = fit(segments, parts);
      if (params === undefined) continue;
      if (route.method === wanted) return { kind: 'found', route, params };
      allow.add(route.method);
      if (route.method === 'GET') allow.add('HEAD');
    }
    return allow.size === 0 ? { kind: 'not found' } : { kind: 'method not allowed', allow: [...allow] };
  }
}

/** A route's query parameters, checked against its schema (a 400 naming each problem). */
export function parseQuery(route: Route, url: URL): Record<string, unknown> {
  const raw = Object.fromEntries(url.searchParams);
  if (route.query === undefined) return raw;
  const parsed = route.query.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) =>
    issue.code === 'unrecognized_keys'
      ? `unknown parameter ${issue.keys.join(', ')}`
      : `${issue.path.join('.') || 'query'}: ${issue.message}`,
  );
  throw new HttpError(400, 'invalid', problems.join('; '));
}
