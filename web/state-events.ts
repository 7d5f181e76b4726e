/**
 * Live state for the pages, as named Server-Sent Events on `/api/events?state=<parts>`: each part
 * (`alarms`, `silences`, `stats`, `clients`, `rates`) is sent whole at connect and again after it changes, as
 * `event: <part>` with the same JSON its GET route answers. Changes are coalesced per stream, so a
 * burst (every retained alarm at start) costs one event, not one per message.
 */
import type { BusState, StatePart } from './bus-state.js';
import { activeSilences } from './silenced.js';

export const STATE_PARTS: readonly StatePart[] = ['alarms', 'silences', 'stats', 'clients', 'rates'];

const COALESCE_MS = 100;

export function snapshot(state: BusState, part: StatePart): unknown {
  switch (part) {
    case 'alarms':
      return state.alarmsView();
    case 'silences':
      return activeSilences(state.silences.values());
    case 'stats':
      return Object.fromEntries(state.stats);
    case 'clients':
      return state.brokerClients;
    case 'rates':
      return state.brokerRates.columns();
  }
}

/** Writes the parts now and after each change; returns the function that stops following. */
export function followState(
  state: BusState,
  parts: readonly StatePart[],
  write: (text: string) => void,
): () => void {
  const pending = new Set<StatePart>(parts);
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    let out = '';
    for (const part of pending) out += `event: ${part}\ndata: ${JSON.stringify(snapshot(state, part))}\n\n`;
    pending.clear();
    write(out);
  };
  const listeners = parts.map((part) => {
    const listener = (): void => {
      pending.add(part);
      // Whether an alarm is silenced changes with the silences.
      if (part === 'silences' && parts.includes('alarms')) pending.add('alarms');
      timer ??= setTimeout(flush, COALESCE_MS);
    };
    state.changes.on(part, listener);
    return { part, listener };
  });
  flush();
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    for (const { part, listener } of listeners) state.changes.off(part, listener);
  };
}
