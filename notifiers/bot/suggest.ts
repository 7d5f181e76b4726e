/** Closest known names to a word nobody knows: Damerau–Levenshtein (optimal string alignment). */

export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j]!;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      // A swap of two neighbours (`wbe1` for `web1`) is one edit.
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * cols + j] = best;
    }
  }
  return at(rows - 1, cols - 1);
}

/**
 * Up to `count` candidates closest to `word` (case ignored), nearest first; only those within about
 * a third of the word's length (at least 2 edits), or that contain it, so `dsk` finds `disk` but
 * `zzz` finds nothing.
 */
export function suggest(word: string, candidates: Iterable<string>, count = 3): string[] {
  const target = word.toLowerCase();
  const limit = Math.max(2, Math.ceil(target.length / 3));
  const scored: { name: string; distance: number }[] = [];
  for (const name of new Set(candidates)) {
    const lower = name.toLowerCase();
    const distance = lower.includes(target) && target.length >= 2 ? 1 : editDistance(target, lower);
    if (distance <= limit) scored.push({ name, distance });
  }
  scored.sort((x, y) => x.distance - y.distance || x.name.localeCompare(y.name));
  return scored.slice(0, count).map((entry) => entry.name);
}
