/**
 * The alarms page: every alarm state on `busbar/alarms/#` (alarm-rows.ts) with a Silence button per
 * alarm and an Ack button on firing ones nobody acknowledged, the active silences with a Remove
 * button, and a form for any silence. Live over `/api/events?state=alarms,silences`; writing buttons
 * only for the `write` role.
 */
import { alarmRow, byUrgency, emptyRow, silenceRow, type Alarm, type Silence } from './alarm-rows.js';
import { ApiError, deleteJson, postJson, whoami } from './api.js';
import { byId, fill } from './dom.js';
import { silenceRequest } from './silence-form.js';

const rows = byId<HTMLTableSectionElement>('alarms');
const silenceRows = byId<HTMLTableSectionElement>('silences');
const errorBox = byId('silence-error');
const form = byId<HTMLFormElement>('silence-form');
let canWrite = false;
let alarms: Alarm[] = [];
let silences: Silence[] = [];

function renderAlarms(): void {
  alarms.sort(byUrgency);
  const list = alarms.map((alarm, i) => alarmRow(alarm, i, canWrite));
  fill(rows, list.length > 0 ? list : [emptyRow(9, 'no alarms')]);
}

function renderSilences(): void {
  const list = silences.map((silence) => silenceRow(silence, canWrite));
  fill(silenceRows, list.length > 0 ? list : [emptyRow(5, 'no active silences')]);
}

/** A write; its refusal is shown above the silences. True when it was done. */
async function attempt(write: () => Promise<unknown>): Promise<boolean> {
  errorBox.textContent = '';
  try {
    await write();
    return true;
  } catch (failure) {
    errorBox.textContent = failure instanceof ApiError ? failure.message : String(failure);
    return false;
  }
}

/** The alarm whose button carries `attribute` (its index), if the click was on one. */
function alarmOf(target: EventTarget | null, attribute: string): Alarm | undefined {
  const index = target instanceof Element ? target.getAttribute(attribute) : null;
  return index === null ? undefined : alarms[Number(index)];
}

rows.addEventListener('click', (event) => {
  const toAck = alarmOf(event.target, 'data-ack');
  if (toAck) {
    const comment = window.prompt(`Acknowledge ${toAck.rule} — comment (optional)`, '');
    if (comment !== null)
      void attempt(() => postJson('/api/acks', { rule: toAck.rule, series: toAck.series, comment }));
    return;
  }
  const toSilence = alarmOf(event.target, 'data-silence');
  if (!toSilence) return;
  void attempt(() =>
    postJson('/api/silences', {
      matchers: { rule: toSilence.rule, series: toSilence.series },
      duration: byId<HTMLSelectElement>('alarm-duration').value,
      comment: 'from the alarms page',
    }),
  );
});

silenceRows.addEventListener('click', (event) => {
  const id = event.target instanceof Element ? event.target.getAttribute('data-remove') : null;
  if (id) void attempt(() => deleteJson(`/api/silences/${encodeURIComponent(id)}`));
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void attempt(() => postJson('/api/silences', silenceRequest(form))).then((done) => {
    if (done) form.reset();
  });
});

void whoami().then((me) => {
  canWrite = me.role === 'write';
  document.body.classList.toggle('read-only', !canWrite);
  renderAlarms();
  renderSilences();
  const events = new EventSource('/api/events?state=alarms,silences');
  events.addEventListener('alarms', (event) => {
    alarms = JSON.parse((event as MessageEvent<string>).data) as Alarm[];
    renderAlarms();
  });
  events.addEventListener('silences', (event) => {
    silences = JSON.parse((event as MessageEvent<string>).data) as Silence[];
    renderSilences();
  });
  events.onopen = () => document.body.setAttribute('data-live', 'open');
});
