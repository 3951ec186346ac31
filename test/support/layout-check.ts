import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Box, DrawnText, LayoutRecorder } from '../../src/reports/render/layout';

const run = promisify(execFile);
/** Points (PDF) or pixels (charts) a glyph may stray past its box: rounding, not overflow. */
const TOLERANCE = 0.75;

export interface PdfWord extends Box {
  page: number;
  text: string;
}

/** Collects what a renderer laid out. */
export function layoutRecorder(): LayoutRecorder & { entries: DrawnText[] } {
  const entries: DrawnText[] = [];
  return { entries, text: (entry) => entries.push(entry) };
}

/** Every word as poppler's `pdftotext -bbox-layout` finds it on the pages: what a reader really sees, not what we measured. */
export async function pdfWords(pdf: Buffer): Promise<PdfWord[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pdf-words-'));
  try {
    writeFileSync(join(dir, 'report.pdf'), pdf);
    await run('pdftotext', ['-bbox-layout', join(dir, 'report.pdf'), join(dir, 'words.html')]);
    const html = readFileSync(join(dir, 'words.html'), 'utf8');
    return html.split('<page ').slice(1).flatMap((page, index) =>
      [...page.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map(([, xMin, yMin, xMax, yMax, text]) => ({
        page: index, text: decode(text), x: Number(xMin), y: Number(yMin), width: Number(xMax) - Number(xMin), height: Number(yMax) - Number(yMin),
      })),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Words that left the box they were laid out in. A word belongs to a box on its page whose recorded text holds
 * it and whose rows its middle falls in; it overflows when it reaches past that box's left or right edge, and
 * a word no box accounts for (drawn where nothing was laid out) counts as well.
 */
export function overflowingWords(words: PdfWord[], laidOut: DrawnText[]): string[] {
  return words.flatMap((word) => {
    const middle = word.y + word.height / 2;
    const homes = laidOut.filter((entry) => entry.page === word.page && entry.text.includes(word.text)
      && middle >= entry.box.y - TOLERANCE && middle <= entry.box.y + entry.box.height + TOLERANCE);
    if (homes.length === 0) return [`page ${word.page + 1}: "${word.text}" at ${round(word.x)},${round(word.y)} is in no laid-out box`];
    const fits = homes.some(({ box }) => word.x >= box.x - TOLERANCE && word.x + word.width <= box.x + box.width + TOLERANCE);
    return fits ? [] : [`page ${word.page + 1}: "${word.text}" (${round(word.x)}–${round(word.x + word.width)}) overflows ${describe(homes[0].box)}`];
  });
}

/** Chart texts whose glyphs leave their box or the picture, and pairs of texts that overlap. */
export function chartTextProblems(entries: DrawnText[], picture: { width: number; height: number }): string[] {
  const problems: string[] = [];
  for (const { text, box, bounds } of entries) {
    if (!bounds) continue;
    if (bounds.x < box.x - TOLERANCE || bounds.x + bounds.width > box.x + box.width + TOLERANCE) problems.push(`"${text}" overflows ${describe(box)}`);
    if (bounds.x < 0 || bounds.y < 0 || bounds.x + bounds.width > picture.width || bounds.y + bounds.height > picture.height) problems.push(`"${text}" leaves the picture`);
  }
  entries.forEach((first, index) => {
    for (const second of entries.slice(index + 1)) {
      if (first.bounds && second.bounds && overlap(first.bounds, second.bounds)) problems.push(`"${first.text}" overlaps "${second.text}"`);
    }
  });
  return problems;
}

/** How far down the page (0..1) the last inked row of pixels is, from a greyscale rendering by poppler's `pdftoppm`. */
export async function inkedDepth(pdf: Buffer, page = 1): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'pdf-page-'));
  try {
    writeFileSync(join(dir, 'report.pdf'), pdf);
    await run('pdftoppm', ['-r', '30', '-gray', '-f', String(page), '-l', String(page), join(dir, 'report.pdf'), join(dir, 'page')]);
    const image = readFileSync(join(dir, readdirSync(dir).find((name) => name.endsWith('.pgm'))!));
    const header = /^P5\s+(\d+)\s+(\d+)\s+\d+\s/.exec(image.subarray(0, 32).toString('latin1'))!;
    const [width, height] = [Number(header[1]), Number(header[2])];
    const pixels = image.subarray(header[0].length);
    // The page number sits in the footer; ink above it is what the page holds.
    const footer = Math.floor(height * 0.93);
    for (let row = footer - 1; row >= 0; row--) {
      for (let column = 0; column < width; column++) if (pixels[row * width + column] < 200) return row / height;
    }
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function overlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width - TOLERANCE && b.x < a.x + a.width - TOLERANCE && a.y < b.y + b.height - TOLERANCE && b.y < a.y + a.height - TOLERANCE;
}

function describe(box: Box): string {
  return `its box ${round(box.x)}–${round(box.x + box.width)}`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function decode(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}
