/**
 * The broker page's retained-message browser: the retained topics under a prefix (GET
 * /api/retained, web/retained-route.ts), a page at a time, with size and the start of each payload.
 */
import { ApiError, getJson } from './api.js';
import { byId, el, fill } from './dom.js';

interface Entry {
  readonly topic: string;
  readonly bytes: number;
  readonly preview: string;
  readonly binary: boolean;
}

interface Page {
  readonly filter: string;
  readonly total: number;
  readonly truncated: boolean;
  readonly entries: readonly Entry[];
  readonly next?: string;
}

const PAGE_SIZE = 50;

export function retainedBrowser(): void {
  const form = byId<HTMLFormElement>('retained-form');
  const prefixInput = byId<HTMLInputElement>('retained-prefix');
  const body = byId<HTMLTableSectionElement>('retained');
  const summary = byId('retained-summary');
  const nextButton = byId<HTMLButtonElement>('retained-next');
  let prefix = '';
  let next: string | undefined;
  let shown = 0;

  async function load(after: string | undefined): Promise<void> {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (prefix !== '') query.set('prefix', prefix);
    if (after !== undefined) query.set('after', after);
    summary.textContent = 'reading…';
    try {
      const page = await getJson<Page>(`/api/retained?${query.toString()}`);
      const rows = page.entries.map((entry) =>
        el(
          'tr',
          { 'data-topic': entry.topic },
          el('td', { class: 'topic' }, entry.topic),
          el('td', { class: 'num' }, entry.bytes),
          el(
            'td',
            { class: entry.binary ? 'preview binary' : 'preview', title: entry.binary ? 'hex' : undefined },
            entry.preview,
          ),
        ),
      );
      shown = after === undefined ? rows.length : shown + rows.length;
      if (after === undefined) fill(body, rows);
      else body.append(...rows);
      next = page.next;
      nextButton.hidden = next === undefined;
      summary.textContent =
        `${shown} of ${page.total} retained topics under ${page.filter}` +
        (page.truncated ? ' (the scan stopped at its limit: narrow the prefix)' : '');
    } catch (failure) {
      summary.textContent = failure instanceof ApiError ? failure.message : String(failure);
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    prefix = prefixInput.value.trim();
    void load(undefined);
  });
  nextButton.addEventListener('click', () => void load(next));
}
