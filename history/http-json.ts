/**
 * One HTTP request of a remote reader (InfluxDB, VictoriaMetrics): its credentials and its JSON
 * answer, with the failures every caller reports alike. `where` names the server without
 * credentials: it goes into messages, which never carry a secret.
 */
import { errorMessage } from '../core/runtime/errors.js';
import { basicAuth } from '../sinks/influx/write-target.js';
import { HistoryUnavailableError } from './source.js';

export interface Credentials {
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** InfluxDB 2.x/3.x API token: `Authorization: Token`, preferred over basic auth. */
  readonly token?: string | undefined;
}

export function authorization(credentials: Credentials): Readonly<Record<string, string>> {
  const { username, password, token } = credentials;
  if (token !== undefined) return { authorization: `Token ${token}` };
  return username === undefined ? {} : { authorization: basicAuth(username, password ?? '') };
}

/**
 * The sinks' rule, which a reader of a sink's database follows too: the credentials of its config
 * (username/password, or a token), else those written in its URL.
 */
export function readerAuthorization(
  config: Credentials,
  inUrl: Pick<Credentials, 'username' | 'password'>,
): Readonly<Record<string, string>> {
  return authorization({
    username: config.username ?? inUrl.username,
    password: config.password ?? inUrl.password,
    token: config.token,
  });
}

/** The status and parsed body of a request; throws HistoryUnavailableError when there is none. */
export async function fetchJson<T>(
  url: URL | string,
  init: RequestInit & { readonly timeoutMs: number },
  where: string,
): Promise<{ readonly ok: boolean; readonly status: number; readonly text: string; readonly answer: T }> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    throw new HistoryUnavailableError(`${where} does not answer: ${errorMessage(cause ?? error)}`);
  }
  const text = await response.text();
  try {
    return { ok: response.ok, status: response.status, text, answer: JSON.parse(text) as T };
  } catch {
    throw new HistoryUnavailableError(`${where} answered ${response.status}, not JSON`);
  }
}
