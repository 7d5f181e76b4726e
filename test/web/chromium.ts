/**
 * Headless Chromium (Debian's, driven by playwright-core) for the page tests, the folder their
 * screenshots go to, and reading what uPlot drew on its canvases.
 */
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Locator } from 'playwright-core';

export const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;

/** The part of a canvas the tests read (the project's TypeScript has no DOM library). */
interface Canvas {
  readonly width: number;
  readonly height: number;
  getContext(type: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
}

export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Per canvas: how many pixels are painted at all, or, given an RGB colour, how many are that colour
 * (within a small tolerance: lines are anti-aliased).
 */
export function paintedPixels(canvases: Locator, rgb?: readonly [number, number, number]): Promise<number[]> {
  return canvases.evaluateAll(
    (elements, color) =>
      elements.map((element) => {
        const canvas = element as unknown as Canvas;
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (data[i + 3]! === 0) continue;
          if (
            color === null ||
            (Math.abs(data[i]! - color[0]) < 24 &&
              Math.abs(data[i + 1]! - color[1]) < 24 &&
              Math.abs(data[i + 2]! - color[2]) < 24 &&
              data[i + 3]! > 128)
          )
            painted++;
        }
        return painted;
      }),
    rgb ?? null,
  );
}
