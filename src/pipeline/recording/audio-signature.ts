export interface AudioType {
  mime: string;
  extension: string;
}

/** Bytes needed to tell the formats apart. */
export const SIGNATURE_BYTES = 16;

const ascii = (bytes: Buffer, start: number, end: number) => bytes.subarray(start, end).toString('latin1');

/** The recording's format from its first bytes; null when they belong to no audio format we accept. */
export function detectAudioType(head: Buffer): AudioType | null {
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WAVE') return { mime: 'audio/wav', extension: 'wav' };
  if (ascii(head, 0, 4) === 'OggS') return { mime: 'audio/ogg', extension: 'ogg' };
  if (ascii(head, 0, 4) === 'fLaC') return { mime: 'audio/flac', extension: 'flac' };
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return { mime: 'audio/webm', extension: 'webm' };
  if (ascii(head, 4, 8) === 'ftyp') return { mime: 'audio/mp4', extension: 'm4a' };
  if (ascii(head, 0, 3) === 'ID3') return { mime: 'audio/mpeg', extension: 'mp3' };
  if (head.length >= 2 && head[0] === 0xff && (head[1] & 0xe0) === 0xe0 && (head[1] & 0x06) !== 0) return { mime: 'audio/mpeg', extension: 'mp3' };
  return null;
}

/** Names what arrived instead of audio, for an error a person can act on. */
export function describeNonAudio(head: Buffer, contentType?: string): string {
  const text = head.toString('utf8').trimStart().toLowerCase();
  if (head.length === 0) return 'an empty file';
  if (text.startsWith('<!doctype html') || text.startsWith('<html') || contentType?.includes('html')) return 'an HTML page';
  if (text.startsWith('{') || text.startsWith('[') || contentType?.includes('json')) return 'a JSON document';
  if (text.startsWith('<?xml') || text.startsWith('<')) return 'an XML or HTML document';
  return `data of an unknown format${contentType ? ` (${contentType.split(';')[0]})` : ''}`;
}
