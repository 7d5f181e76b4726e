/**
 * Email through SMTP (nodemailer): the title is the subject, with a text body and an HTML body. An
 * alarm or grouped alarm notification also carries a chart of each firing series (see charts.ts).
 * An SMTP reply of 5xx is a permanent refusal (RFC 5321 §4.2.1: "the same request will fail"), 4xx
 * and connection failures are transient: the router retries those and fails over on these. The mails
 * about one alarm or group form a thread (thread.ts).
 */
import nodemailer from 'nodemailer';
import { isLoopbackHost } from '../../../broker/loopback.js';
import { errorMessage } from '../../../core/runtime/errors.js';
import { SendError } from '../send-error.js';
import type { NotifierService } from '../service.js';
import { payloadAlarms } from '../../alarm-payload.js';
import { mailBody } from './body.js';
import { AlarmCharts, type MailCharts } from './charts.js';
import { emailTargetSchema, type EmailTargetConfig } from './config.js';
import { MailThreads, senderDomain } from './thread.js';

const NO_CHARTS: MailCharts = { charts: [], omitted: 0 };

/** nodemailer's error as a SendError: `responseCode` is the SMTP reply code, when a server gave one. */
function smtpError(error: unknown): SendError {
  const code = (error as { responseCode?: unknown } | undefined)?.responseCode;
  const permanent = typeof code === 'number' && code >= 500 && code < 600;
  return new SendError(`smtp: ${errorMessage(error)}`, { permanent, cause: error });
}

export const emailService: NotifierService<EmailTargetConfig> = {
  name: 'email',
  schema: emailTargetSchema,
  create({ config, log, history }) {
    // nodemailer sends AUTH over a plain connection without a word; anyone on the path reads it.
    // A relay on this machine is not on a network path, so it is left alone.
    if (config.security === 'none' && config.username !== undefined && !isLoopbackHost(config.host)) {
      log.warn(
        { host: config.host, port: config.port },
        'email: security is none, so the SMTP password is sent in clear; use starttls or tls',
      );
    }
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
      // Reuse connections: a new one per mail pays the server's greeting (often a deliberate delay)
      // and a TLS handshake every time. A connection the server closed is replaced on the next mail.
      pool: true,
      maxConnections: 2,
    });
    const alarmCharts = config.charts ? new AlarmCharts(history, log) : undefined;
    const threads = new MailThreads(senderDomain(config.from));
    return {
      format: 'html',
      async send(notification, signal) {
        const alarms = payloadAlarms(notification.payload);
        const charts =
          alarms && alarmCharts ? await alarmCharts.render(alarms.alarms, Date.now(), signal) : NO_CHARTS;
        const body = mailBody(notification, charts);
        const sending = transport.sendMail({
          from: config.from,
          to: config.to,
          subject: notification.plain.title,
          text: body.text,
          html: config.html ? body.html : undefined,
          // With an HTML body the charts are inline parts (shown in place, and listed as attachments
          // by mail clients since they carry a file name); without one, plain attachments.
          attachments: charts.charts.map((chart) => ({
            filename: chart.filename,
            content: chart.png,
            contentType: 'image/png',
            ...(config.html ? { cid: chart.cid } : { contentDisposition: 'attachment' as const }),
          })),
          headers: { 'X-Busbar-Notification': notification.id },
          ...threads.headers(notification.payload),
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
              reject(smtpError(error));
            },
          );
        });
      },
      close() {
        transport.close();
        alarmCharts?.close();
        return Promise.resolve();
      },
    };
  },
};
