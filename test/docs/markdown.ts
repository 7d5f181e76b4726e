/**
 * The Markdown files the docs tests read (README.md and docs/**), and what they take from them:
 * fenced blocks, with the HTML comment that may stand on the line before one, and relative links.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface MarkdownFile {
  /** Relative to the repository: `docs/notifications.md`. */
  name: string;
  text: string;
}

export function markdownFiles(): MarkdownFile[] {
  const docs = readdirSync(path.join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.md'))
    .map((file) => path.join('docs', file));
  return ['README.md', ...docs.sort()].map((name) => ({
    name,
    text: readFileSync(path.join(ROOT, name), 'utf8'),
  }));
}

export interface FencedBlock {
  language: string;
  body: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The text of an HTML comment on the line before the fence (a blank line between allowed). */
  note?: string;
}

const FENCE = /^(`{3,}|~{3,})\s*([\w-]*)/;

export function fencedBlocks(text: string): FencedBlock[] {
  const lines = text.split('\n');
  const blocks: FencedBlock[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = FENCE.exec(lines[index]!);
    if (!open) continue;
    const close = lines.findIndex((line, at) => at > index && line.trim().startsWith(open[1]!));
    const end = close === -1 ? lines.length : close;
    // Prettier puts a blank line between the comment and the fence.
    const before = lines[index - 1]?.trim() === '' ? lines[index - 2] : lines[index - 1];
    const note = /^<!--\s*(.*?)\s*-->$/.exec(before?.trim() ?? '')?.[1];
    blocks.push({ language: open[2]!, body: lines.slice(index + 1, end).join('\n'), line: index + 1, note });
    index = end;
  }
  return blocks;
}

/**
 * The text outside fenced blocks, where a link is a link; inline code dropped, or with `keepCode`
 * kept without its backticks (a heading's anchor is made from its words, code included).
 */
export function prose(text: string, keepCode = false): string {
  const kept: string[] = [];
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    const open = FENCE.exec(line);
    if (fence === undefined && open) fence = open[1];
    else if (fence !== undefined && line.trim().startsWith(fence)) fence = undefined;
    else if (fence !== undefined) kept.push('');
    else kept.push(line.replace(/`([^`]*)`/g, keepCode ? '$1' : ''));
  }
  return kept.join('\n');
}

/** The targets of `[text](target)` links and `[name]: target` definitions. */
export function linkTargets(text: string): string[] {
  const inline = [...prose(text).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const defined = [...prose(text).matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]!);
  return [...inline, ...defined];
}

/** GitHub's anchors of a file's headings: lower case, punctuation dropped, spaces as `-`, repeats numbered. */
export function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of prose(text, true).matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const words = match[1]!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(words) ?? 0;
    seen.set(words, count + 1);
    anchors.add(count === 0 ? words : `${words}-${count}`);
  }
  return anchors;
}
