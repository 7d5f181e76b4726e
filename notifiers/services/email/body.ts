/**
 * The text and HTML bodies of a mail: the route's message, then the charts (inline in HTML by cid,
 * named in the text body). The message alone says what the alarms are (the route's default,
 * `{details}`, lists each): a list added here as well showed each alarm twice under a message of
 * `{alarms}`.
 */
import { escapeFor } from '../../router/escape.js';
import type { Notification } from '../service.js';
import { MAX_CHARTS, type MailCharts } from './charts.js';

export interface MailBody {
  readonly text: string;
  readonly html: string;
}

function omittedNote(omitted: number): string {
  return omitted === 0
    ? ''
    : `${omitted} more firing alarm${omitted === 1 ? ' has' : 's have'} no chart here (at most ${MAX_CHARTS} per mail).`;
}

export function mailBody(notification: Notification, charts: MailCharts): MailBody {
  const text: string[] = [notification.plain.message];
  // notification.title and .message are already rendered for HTML (values escaped).
  const html: string[] = [
    `<h3>${notification.title}</h3><p>${notification.message.replace(/\n/g, '<br>')}</p>`,
  ];
  if (charts.charts.length > 0) {
    text.push('', `Charts attached: ${charts.charts.map((chart) => chart.filename).join(', ')}`);
  }
  for (const chart of charts.charts) {
    const caption = escapeFor('html', chart.caption);
    html.push(`<p><img src="cid:${chart.cid}" alt="${caption}" width="800" height="400"><br>${caption}</p>`);
  }
  const note = omittedNote(charts.omitted);
  if (note !== '') {
    text.push(note);
    html.push(`<p>${escapeFor('html', note)}</p>`);
  }
  return { text: text.join('\n'), html: html.join('\n') };
}
