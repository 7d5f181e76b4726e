/** Replies through the Bot API: HTML text split to Telegram's limits, PNG charts as photos. */
import { InputFile, type Api } from 'node-telegram-bot-api';

export const MAX_TEXT = 4096;
export const MAX_CAPTION = 1024;

/** A tag of Telegram's HTML (`<b>`, `<a href="...">`, `</code>`); entities hold no `<`. */
const TAG = /<(\/?)([a-zA-Z-]+)[^>]*>/g;

/** The tags still open after `line`, given those open before it (their opening text). */
function openAfter(open: readonly string[], line: string): string[] {
  const stack = [...open];
  for (const match of line.matchAll(TAG)) {
    const name = match[2]!.toLowerCase();
    if (match[1] === '') stack.push(match[0]);
    else {
      const at = stack.findLastIndex((tag) => tag.toLowerCase().startsWith(`<${name}`));
      if (at >= 0) stack.splice(at, 1);
    }
  }
  return stack;
}

function closing(open: readonly string[]): string {
  return open
    .map((tag) => `</${/^<([a-zA-Z-]+)/.exec(tag)![1]}>`)
    .reverse()
    .join('');
}

/**
 * Cuts HTML at line breaks into texts of at most `max` characters. A tag open across a cut (a
 * `<pre>` block) is closed at the end of one part and opened again at the start of the next, so each
 * part is valid on its own. A single overlong line is cut hard, as plain text (its tags dropped).
 * With `maxParts`, the parts beyond it are left out and the last kept one ends with "… and N more
 * lines".
 */
export function splitMessage(html: string, max = MAX_TEXT, maxParts = Infinity): string[] {
  const { parts } = split(html, max);
  if (parts.length <= maxParts) return parts;
  // Room for the note at the end of the last part kept.
  const again = split(html, max - MORE_ROOM);
  const kept = again.parts.slice(0, maxParts);
  const left = again.lines.slice(maxParts).reduce((sum, count) => sum + count, 0);
  kept[kept.length - 1] += `\n… and ${left} more lines`;
  return kept;
}

/** Characters kept free for "… and N more lines". */
const MORE_ROOM = 40;

function split(html: string, max: number): { parts: string[]; lines: number[] } {
  const parts: string[] = [];
  /** Lines of each part, for the count of those left out. */
  const lines: number[] = [];
  let current = '';
  let currentLines = 0;
  let open: string[] = [];
  for (const line of html.split('\n')) {
    const after = openAfter(open, line);
    const next = current === '' ? open.join('') + line : `${current}\n${line}`;
    if (next.length + closing(after).length <= max) {
      current = next;
      currentLines++;
      open = after;
      continue;
    }
    if (current !== '') {
      parts.push(current + closing(open));
      lines.push(currentLines);
    }
    const start = open.join('') + line;
    if (start.length + closing(after).length <= max) {
      current = start;
      open = after;
    } else {
      current = line.replace(TAG, '').slice(0, max);
      open = [];
    }
    currentLines = 1;
  }
  if (current !== '') {
    parts.push(current + closing(open));
    lines.push(currentLines);
  }
  return { parts, lines };
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
