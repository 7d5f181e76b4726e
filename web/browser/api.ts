/** The web's own API from a page: same-origin requests with the session cookie. */

export interface Principal {
  readonly name: string;
  readonly role: 'read' | 'write';
}

/** A failed request: the server's `{code, message}` when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function answer<T>(response: Response): Promise<T> {
  const text = await response.text();
  const body: unknown = text === '' ? undefined : JSON.parse(text);
  if (!response.ok) {
    const message = (body as { message?: string } | undefined)?.message ?? response.statusText;
    throw new ApiError(response.status, message);
  }
  return body as T;
}

export async function getJson<T>(path: string): Promise<T> {
  return answer<T>(await fetch(path, { credentials: 'same-origin' }));
}

/**
 * A write as JSON: the server checks the browser's Origin (cookie sessions) and asks for this type,
 * which another site's form cannot send.
 */
async function write<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  return answer<T>(await fetch(path, init));
}

export function postJson<T>(path: string, body: unknown): Promise<T> {
  return write<T>('POST', path, body);
}

export function deleteJson<T>(path: string): Promise<T> {
  return write<T>('DELETE', path);
}

export function whoami(): Promise<Principal> {
  return getJson<Principal>('/api/whoami');
}
