import { dirname, join } from 'node:path';

/** DejaVu covers Cyrillic; the fonts built into pdfkit and canvas do not. */
const FONT_DIR = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');

export const REPORT_FONTS = {
  regular: join(FONT_DIR, 'DejaVuSans.ttf'),
  bold: join(FONT_DIR, 'DejaVuSans-Bold.ttf'),
  family: 'DejaVu Sans',
} as const;
