/** Email through SMTP (nodemailer): the title is the subject, with a text body and an HTML body. */
import nodemailer from 'nodemailer';
import type { NotifierService } from '../service.js';
import { emailTargetSchema, type EmailTargetConfig } from './config.js';

export const emailService: NotifierService<EmailTargetConfig> = {
  name: 'email',
  schema: emailTargetSchema,
  create({ config }) {
    const transport = nodemailer.createTransport({
      host: config.host,
      port: config.port,
      secure: config.security === 'tls',
      requireTLS: config.security === 'starttls',
      ignoreTLS: config.security === 'none',
      auth:
        config.username !== undefined ? { user: config.username, pass: config.password ?? '' } : undefined,
      // nodemailer logs nothing unless given a logger; keep it so, the auth exchange would show.
      logger: false,
      connectionTimeout: 10_000,
    });
    return {
      format: 'html',
      async send(notification, signal) {
        const html = `<h3>${notification.title}</h3><p>${notification.message.replace(/\n/g, '<br>')}</p>`;
        const sending = transport.sendMail({
          from: config.from,
          to: config.to,
          subject: notification.plain.title,
          text: notification.plain.message,
          html: config.html ? html : undefined,
          headers: { 'X-Busbar-Notification': notification.id },
        });
        // nodemailer takes no AbortSignal: stop waiting when the router's timeout fires.
        await new Promise<void>((resolve, reject) => {
          const onAbort = (): void =>
            reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
          if (signal.aborted) return onAbort();
          signal.addEventListener('abort', onAbort, { once: true });
          sending.then(
            () => {
              signal.removeEventListener('abort', onAbort);
              resolve();
            },
            (error: unknown) => {
              signal.removeEventListener('abort', onAbort);
              reject(error instanceof Error ? error : new Error(String(error)));
            },
          );
        });
      },
      close() {
        transport.close();
        return Promise.resolve();
      },
    };
  },
};
