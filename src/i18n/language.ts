export const LANGUAGES = ['ru', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** The language of reports and messages for the `analysis.language` setting: English for `en`, Russian otherwise. */
export function languageOf(setting: string | null | undefined): Language {
  return setting === 'en' ? 'en' : 'ru';
}
