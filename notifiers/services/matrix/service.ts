/**
 * Matrix client-server API (https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3roomsroomidsendeventtypetxnid):
 * PUT /_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId} with the access token as a
 * Bearer token. The transaction id is the notification's id, so a retry after a lost answer is
 * recognised by the homeserver and not posted twice. `m.notice`: the msgtype the spec gives
 * automated senders (other bots do not answer it).
 */
import { z } from 'zod';
import { base, secret } from '../http/preset-options.js';
import { presetService } from '../http/service.js';

const matrixOptions = z
  .object({
    url: z.url().describe('Homeserver (`https://matrix.example.org`).'),
    room: z
      .string()
      .regex(/^![^:]+:.+$/, 'a room id, `!abc123:example.org`')
      .describe("Room id (`!abc123:example.org`; the room's settings show it), joined by the account."),
    token: secret("The sending account's access token"),
  })
  .strict();

export const matrixService = presetService('matrix', matrixOptions, (options) => ({
  method: 'PUT',
  url: `${base(options.url)}/_matrix/client/v3/rooms/${encodeURIComponent(options.room)}/send/m.room.message/{id}`,
  headers: { Authorization: `Bearer ${options.token}` },
  body: { msgtype: 'm.notice', body: '{title}\n{message}' },
}));
