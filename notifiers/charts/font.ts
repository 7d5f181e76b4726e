/**
 * The font charts are drawn with. resvg draws no text without a font, and system font discovery is
 * slow and differs between hosts, so charts load one known file: DejaVu Sans from Debian's
 * fonts-dejavu-core. When it is missing, charts still render with whatever system fonts resvg finds.
 */
import { existsSync } from 'node:fs';
import type { ResvgRenderOptions } from '@resvg/resvg-js';

export const DEFAULT_FONT_FILE = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
export const FONT_FAMILY = 'DejaVu Sans';

export interface ChartFont {
  readonly options: NonNullable<ResvgRenderOptions['font']>;
  /** Set when the font file is missing: what to tell the operator. */
  readonly warning: string | undefined;
}

export function chartFont(file: string = DEFAULT_FONT_FILE): ChartFont {
  if (existsSync(file)) {
    return {
      options: {
        fontFiles: [file],
        loadSystemFonts: false,
        defaultFontFamily: FONT_FAMILY,
        sansSerifFamily: FONT_FAMILY,
      },
      warning: undefined,
    };
  }
  return {
    options: { loadSystemFonts: true },
    warning:
      `chart font ${file} not found (Debian/Ubuntu: apt-get install fonts-dejavu-core); ` +
      'charts use system fonts, text may be missing or look different',
  };
}
