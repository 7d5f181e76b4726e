import { z } from 'zod';

export const emailTargetSchema = z
  .object({
    host: z.string().min(1).describe('SMTP server.'),
    port: z.number().int().min(1).max(65535).default(587).describe('SMTP port (587 submission, 465 TLS).'),
    security: z
      .enum(['starttls', 'tls', 'none'])
      .default('starttls')
      .describe('`tls`: TLS from the first byte (port 465); `starttls`: upgrade required; `none`: plain.'),
    username: z.string().optional().describe('SMTP login; with `password`.'),
    password: z.string().optional().describe('SMTP password; never logged.'),
    from: z.string().min(1).describe('Sender address.'),
    to: z.array(z.string().min(1)).min(1).describe('Recipients.'),
    html: z.boolean().default(true).describe('Send an HTML body next to the text body.'),
    charts: z
      .boolean()
      .default(true)
      .describe(
        'Alarm mails: attach a PNG chart of each firing series from the history store (at most 5 per mail).',
      ),
  })
  .strict()
  .refine((target) => (target.username === undefined) === (target.password === undefined), {
    path: ['password'],
    message: 'give both `username` and `password`, or neither',
  });

export type EmailTargetConfig = z.output<typeof emailTargetSchema>;
