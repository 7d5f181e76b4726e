/** Counts what the databases of the ingest benchmark hold, to prove zero loss (and no duplicates). */
import Database from 'better-sqlite3';

/** Samples of every series named `<measurement>_*` in VictoriaMetrics, after a flush. */
export async function countVictoriaMetrics(vmUrl: string, measurement: string): Promise<number> {
  const flush = await fetch(`${vmUrl}/internal/force_flush`);
  await flush.body?.cancel();
  let samples = 0;
  // New series become searchable within about a second of being written; read until stable.
  for (let attempt = 0, previous = -1; attempt < 20; attempt++) {
    const response = await fetch(`${vmUrl}/api/v1/export`, {
      method: 'POST',
      body: new URLSearchParams({ 'match[]': `{__name__=~"${measurement}_.*"}` }),
    });
    const text = await response.text();
    samples = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      samples += (JSON.parse(line) as { values: unknown[] }).values.length;
    }
    if (samples === previous) break;
    previous = samples;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return samples;
}

/** Raw points of `measurement` in the history store. */
export function countHistory(file: string, measurement: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare('SELECT count(*) FROM points WHERE series_id IN (SELECT id FROM series WHERE measurement = ?)')
      .pluck()
      .get(measurement) as number;
  } finally {
    db.close();
  }
}
