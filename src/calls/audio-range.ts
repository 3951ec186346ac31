/** A byte range of a file, inclusive, as an HTTP Range header asks for it. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Parses `Range: bytes=…` for a file of `size` bytes. Returns undefined to send the whole file
 * (no header, or a form we do not serve), or 'unsatisfiable' for a 416.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return header.startsWith('bytes=') ? 'unsatisfiable' : undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}
