/** Reading rendered charts back: a PNG decoded with pngjs, and counts of the pixels near a colour. */
import { PNG } from 'pngjs';

export interface Picture {
  readonly width: number;
  readonly height: number;
  /** Distinct RGBA values. */
  readonly colours: number;
  /** Pixels within `tolerance` (per channel) of `#rrggbb`, optionally only in rows [top, bottom). */
  near(hex: string, tolerance?: number, rows?: { top: number; bottom: number }): number;
}

export function readPng(png: Buffer): Picture {
  const image = PNG.sync.read(png);
  const { width, height, data } = image;
  const distinct = new Set<number>();
  for (let i = 0; i < data.length; i += 4) {
    distinct.add(((data[i]! << 24) | (data[i + 1]! << 16) | (data[i + 2]! << 8) | data[i + 3]!) >>> 0);
  }
  return {
    width,
    height,
    colours: distinct.size,
    near(hex, tolerance = 24, rows = { top: 0, bottom: height }) {
      const r = parseInt(hex.slice(1, 3), 16);
      const g = parseInt(hex.slice(3, 5), 16);
      const b = parseInt(hex.slice(5, 7), 16);
      let count = 0;
      for (let y = rows.top; y < rows.bottom; y++) {
        for (let x = 0; x < width; x++) {
          const i = (y * width + x) * 4;
          if (
            Math.abs(data[i]! - r) <= tolerance &&
            Math.abs(data[i + 1]! - g) <= tolerance &&
            Math.abs(data[i + 2]! - b) <= tolerance
          ) {
            count++;
          }
        }
      }
      return count;
    },
  };
}
