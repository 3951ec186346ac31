/** Our channel names for Open Lines connectors (`telegrambot`, `whatsappbyedna`, `fbinstagramdirect`, …). */
const CHANNELS: [RegExp, string][] = [
  [/whatsapp|wz_/, 'whatsapp'],
  [/instagram/, 'instagram'],
  [/telegram/, 'telegram'],
  [/^vk|vkgroup/, 'vk'],
  [/^livechat|^network/, 'livechat'],
  [/facebook|^fb/, 'facebook'],
  [/viber/, 'viber'],
  [/avito/, 'avito'],
  [/imessage|apple/, 'imessage'],
  [/^ok$|odnoklassniki/, 'ok'],
  [/email|mail/, 'email'],
];

export function channelOf(connector: string | null): string {
  const id = (connector ?? '').trim().toLowerCase();
  if (!id) return 'unknown';
  return CHANNELS.find(([pattern]) => pattern.test(id))?.[1] ?? id.slice(0, 32);
}

/** Message text from Bitrix24 BB-code: line breaks kept, formatting dropped. */
export function plainText(text: string): string {
  return text
    .replace(/\[br\]/gi, '\n')
    .replace(/\[\/?(?:b|i|u|s|url|color|size|quote|code|user|chat|icon)(?:=[^\]]*)?\]/gi, '')
    .trim();
}
