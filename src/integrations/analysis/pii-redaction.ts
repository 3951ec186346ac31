import { TranscriptSegment } from './call-analyzer.port';

const SEP = String.raw`[\s\-]*`;

/** Order matters: a card or passport number would otherwise be taken for a phone number. */
const PII_PATTERNS: { mask: string; pattern: RegExp }[] = [
  { mask: '[email]', pattern: /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu },
  { mask: '[карта]', pattern: /(?<!\d)\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{4}(?!\d)/g },
  {
    mask: '[паспорт]',
    pattern: /(?:паспорт\p{L}*|серия)[\s:]*(?:серия\s*)?\d{2}\s?\d{2}[\s,]*(?:(?:номер|№)\s*)?\d{6}(?!\d)/giu,
  },
  { mask: '[паспорт]', pattern: /(?<!\d)\d{2}\s?\d{2}\s(?:(?:номер|№)\s*)?\d{6}(?!\d)/giu },
  {
    mask: '[телефон]',
    pattern: new RegExp(String.raw`(?<![\d+])(?:(?:\+7|8|7)${SEP})?(?:\(${SEP})?9\d{2}${SEP}\)?${SEP}\d{3}${SEP}\d{2}${SEP}\d{2}(?!\d)`, 'g'),
  },
  {
    mask: '[телефон]',
    pattern: new RegExp(String.raw`(?<![\d+])(?:\+7|8)${SEP}\(?${SEP}\d{3,5}${SEP}\)?${SEP}\d{1,3}${SEP}\d{2}${SEP}\d{2}(?!\d)`, 'g'),
  },
];

/** Masks phone, card and passport numbers and e-mail addresses, so they never reach the model. */
export function redactPii(text: string): string {
  return PII_PATTERNS.reduce((redacted, { mask, pattern }) => redacted.replace(pattern, mask), text);
}

export function redactSegments(segments: TranscriptSegment[]): TranscriptSegment[] {
  return segments.map((segment) => ({ ...segment, text: redactPii(segment.text) }));
}
