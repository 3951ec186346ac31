import { EN, Messages, RU } from './catalogue';
import { Formats } from './format';
import { Language, languageOf } from './language';

/** The words and the number and date formats of one language. */
export interface Locale {
  language: Language;
  text: Messages;
  format: Formats;
}

const LOCALES: Record<Language, Locale> = {
  ru: { language: 'ru', text: RU, format: new Formats('ru') },
  en: { language: 'en', text: EN, format: new Formats('en') },
};

/** The locale for a language code or the `analysis.language` setting. */
export function localeOf(language: string | null | undefined): Locale {
  return LOCALES[languageOf(language)];
}
