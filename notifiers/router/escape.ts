/** Escaping of template values for a target's format, so a payload cannot inject markup. */
import type { TargetFormat } from '../services/service.js';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes a value for the target's format. Markdown: the characters Slack and Mattermost interpret. */
export function escapeFor(format: TargetFormat | 'plain', text: string): string {
  switch (format) {
    case 'html':
      return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
    case 'markdown':
      return text.replace(/[\\`*_~[\]()<>|#]/g, (c) => `\\${c}`);
    case 'text':
    case 'plain':
      return text;
  }
}
