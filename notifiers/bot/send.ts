/** Replies through the Bot API: HTML text split to Telegram's limits, PNG charts as photos. */
import { InputFile, type Api } from 'node-telegram-bot-api';

export const MAX_TEXT = 4096;
export const MAX_CAPTION = 1024;

/** Cuts at line breaks so no tag or entity is split; a single overlong line is cut hard. */
export function splitMessage(html: string, max = MAX_TEXT): string[] {
  const parts: string[] = [];
  let current = '';
  for (const line of html.split('\n')) {
    const next = current === '' ? line : `${current}\n${line}`;
    if (next.length <= max) {
      current = next;
      continue;
    }
    if (current !== '') parts.push(current);
    current = line.length <= max ? line : line.slice(0, max);
  }
  if (current !== '') parts.push(current);
  return parts;
}

export async function sendHtml(api: Api, chat: number, html: string): Promise<void> {
  for (const text of splitMessage(html)) {
    await api.sendMessage({
      chat_id: chat,
      text,
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
    });
  }
}

export async function sendPng(api: Api, chat: number, png: Buffer, captionHtml: string): Promise<void> {
  const [caption = ''] = splitMessage(captionHtml, MAX_CAPTION);
  await api.sendPhoto({
    chat_id: chat,
    photo: new InputFile(new Uint8Array(png), { filename: 'chart.png', contentType: 'image/png' }),
    caption,
    parse_mode: 'HTML',
  });
}
