/** Escaping of template values for a target's format, so a payload cannot inject markup. */
import type { TargetFormat } from '../services/service.js';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes a value for the target's format. Markdown: the characters Mattermost and Discord
 * interpret. Slack: only `&`, `<` and `>`, as Slack asks
 * (https://api.slack.com/reference/surfaces/formatting#escaping), so a label `<!channel>` is shown,
 * not a mention that pings everyone; `*` and `_` stay, Slack has no escape for them.
 */
export function escapeFor(format: TargetFormat | 'plain', text: string): string {
  switch (format) {
    case 'html':
      return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
    case 'slack':
      return text.replace(/[&<>]/g, (c) => HTML_ESCAPES[c] ?? c);
    case 'markdown':
      return text.replace(/[\\`*_~[\]()<>|#]/g, (c) => `\\${c}`);
    case 'text':
    case 'plain':
      return text;
  }
}
