/**
 * The fetch the Bot API client uses. A proxy, a load balancer or Telegram having a bad minute can
 * answer with an HTTP error whose body is not the Bot API's `{ ok: false, error_code, description }`
 * (plain text, HTML, other JSON). The client then reports "undefined: undefined" or only "Server
 * error 500": the status and the server's text are lost. This wrapper turns such an answer into the
 * envelope the client understands, with the HTTP status as its code and the server's text (cut
 * short) as its description, so every error names both and retries still see a 5xx as transient.
 */

/** The server's text kept in an error (a proxy's HTML page can be long). */
const MAX_TEXT = 200;

function isEnvelope(json: unknown): boolean {
  if (typeof json !== 'object' || json === null) return false;
  const body = json as Record<string, unknown>;
  return body.ok === true || (typeof body.error_code === 'number' && typeof body.description === 'string');
}

/** One line of the server's text: tags of an HTML error page dropped, white space folded. */
function serverText(text: string): string {
  const flat = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > MAX_TEXT ? `${flat.slice(0, MAX_TEXT - 1)}…` : flat;
}

export const botApiFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (response.ok) return response;
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const body = isEnvelope(json)
    ? text
    : JSON.stringify({
        ok: false,
        error_code: response.status,
        description:
          [response.statusText, serverText(text)]
            .filter((part, at, parts) => part !== '' && parts.indexOf(part) === at)
            .join(': ') || 'no text',
      });
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: { 'content-type': 'application/json' },
  });
};
