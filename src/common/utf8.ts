import { transcode } from 'node:buffer';

/**
 * The UTF-8 bytes of a text. `Buffer.from` encodes a text holding any character beyond Latin-1 (one Cyrillic
 * letter will do) a character at a time; copying the text out as UTF-16 and transcoding that is vectorised, about
 * four times as fast for a page of the calls list. Transcoding refuses a lone surrogate: such a text is encoded
 * the usual way.
 */
export function utf8Bytes(text: string): Buffer {
  try {
    return transcode(Buffer.from(text, 'utf16le'), 'utf16le', 'utf8');
  } catch {
    return Buffer.from(text, 'utf8');
  }
}
