/** SNMPv3 user-based security (RFC 3414) as configured: a device's `v3` and the trap receiver's `users`. */
import { z } from 'zod';

const securityLevel = z.enum(['noAuthNoPriv', 'authNoPriv', 'authPriv']);

/** A USM user: what a device's `v3` and the trap receiver's `users` share. */
export const usmUser = {
  user: z.string().min(1).describe('USM user name.'),
  level: securityLevel.default('authPriv').describe('USM security level.'),
  authProtocol: z
    .enum(['sha', 'md5'])
    .default('sha')
    .describe('Authentication protocol (HMAC-SHA-96 or HMAC-MD5-96).'),
  authKey: z.string().min(8).optional().describe('Authentication passphrase (at least 8 characters).'),
  privProtocol: z
    .enum(['aes', 'des'])
    .default('aes')
    .describe('Privacy protocol (AES-128-CFB, or DES-CBC: needs NODE_OPTIONS=--openssl-legacy-provider).'),
  privKey: z.string().min(8).optional().describe('Privacy passphrase (at least 8 characters).'),
};

type UsmUser = { level: string; authKey?: string | undefined; privKey?: string | undefined };

export function requireUsmKeys(user: UsmUser, ctx: z.RefinementCtx): void {
  if (user.level !== 'noAuthNoPriv' && user.authKey === undefined) {
    ctx.addIssue({ code: 'custom', path: ['authKey'], message: `required for level ${user.level}` });
  }
  if (user.level === 'authPriv' && user.privKey === undefined) {
    ctx.addIssue({ code: 'custom', path: ['privKey'], message: 'required for level authPriv' });
  }
}

export const usmUserSchema = z.object(usmUser).strict().superRefine(requireUsmKeys);

export type SnmpUsmUser = z.output<typeof usmUserSchema>;
