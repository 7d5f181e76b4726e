/**
 * Client ids bound to usernames (`broker.clientIdPattern`), like Mosquitto's `clientid_prefixes`:
 * a CONNECT with the client id of a connected device takes over its session, so without a binding
 * any user could disconnect another's device and receive its queued messages. With a pattern such
 * as `%u-*`, a user may take only ids that fit the pattern with their username, and not one that
 * also fits another user's (users `a` and `a-b` with `%u-*`: `a-b-1` is `a-b`'s); an anonymous
 * client only ids that fit no user's. Ids the broker generates for an empty one are always fine.
 */

/** `*` any characters, `%u` the username, everything else literal. */
function compile(pattern: string, username: string): RegExp {
  const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const body = pattern
    .split('%u')
    .map((part) => part.split('*').map(literal).join('.*'))
    .join(literal(username));
  return new RegExp(`^${body}$`, 's');
}

/** Whether `username` (undefined: anonymous) may use `clientId`; undefined when ids are not bound. */
export type ClientIdRule = (clientId: string, username: string | undefined) => boolean;

export function clientIdRule(
  pattern: string | undefined,
  usernames: readonly string[],
): ClientIdRule | undefined {
  if (pattern === undefined) return undefined;
  const patterns = new Map(usernames.map((name) => [name, compile(pattern, name)]));
  const takenByOther = (clientId: string, username: string | undefined): boolean => {
    for (const [name, regex] of patterns) if (name !== username && regex.test(clientId)) return true;
    return false;
  };
  return (clientId, username) => {
    if (username !== undefined) {
      const own = patterns.get(username) ?? compile(pattern, username);
      if (!own.test(clientId)) return false;
    }
    return !takenByOther(clientId, username);
  };
}
