/**
 * A real local HTTP server standing in for a notification service: every request is recorded and
 * answered by the service's contract (http-contracts.ts), which refuses, as the real service
 * documents it would, what it would refuse. Answers queued with `answerNext` come first (a receiver
 * having a bad minute).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly method: string;
  /** The path as sent, still URL-encoded. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

export interface Answer {
  readonly status: number;
  readonly body?: string | Record<string, unknown>;
  readonly headers?: Record<string, string>;
}

/** How a service answers a request: 2xx when it takes it, its documented error otherwise. */
export type Contract = (request: Received) => Answer;

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** The requests the contract took (answered 2xx). */
  readonly accepted: Received[];
  /** Requests the contract refused: what busbar sent wrong. */
  readonly refused: { request: Received; answer: Answer }[];
  answerNext(...answers: Answer[]): void;
  close(): Promise<void>;
}

export async function startReceiver(contract: Contract): Promise<Receiver> {
  const received: Received[] = [];
  const accepted: Received[] = [];
  const refused: { request: Received; answer: Answer }[] = [];
  const queued: Answer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://receiver');
      const request: Received = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        text: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      const forced = queued.shift();
      const answer = forced ?? contract(request);
      if (forced === undefined && answer.status < 300) accepted.push(request);
      else if (forced === undefined) refused.push({ request, answer });
      const body = typeof answer.body === 'object' ? JSON.stringify(answer.body) : (answer.body ?? '');
      res.writeHead(answer.status, {
        ...(typeof answer.body === 'object' ? { 'content-type': 'application/json' } : {}),
        ...answer.headers,
      });
      res.end(answer.status === 204 ? undefined : body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    accepted,
    refused,
    answerNext: (...answers) => queued.push(...answers),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The request's JSON body, or undefined when it is not JSON. */
export function jsonBody(request: Received): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(request.text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
