/** Line colours of the charts. */

/**
 * 20 colours told apart easily (Tableau 20 reordered, dark first; its navy swapped for a lighter
 * indigo, which vanished on the dark background).
 */
const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#aec7e8',
  '#ffbb78',
  '#98df8a',
  '#ff9896',
  '#c5b0d5',
  '#c49c94',
  '#f7b6d2',
  '#6b6ecf',
  '#dbdb8d',
  '#9edae5',
];

/** The i-th series' colour: the palette, then hues a golden angle apart so none repeats. */
export function seriesColour(i: number): string {
  return PALETTE[i] ?? `hsl(${Math.round((i * 137.508) % 360)},65%,50%)`;
}

/** The colour a third opaque: a stacked band's fill, under its line. */
export function translucent(colour: string): string {
  return colour.startsWith('#') ? `${colour}55` : colour.replace(/^hsl\((.*)\)$/, 'hsla($1,0.33)');
}
