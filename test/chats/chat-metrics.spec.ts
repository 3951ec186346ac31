import { channelOf, plainText } from '../../src/chats/chat-channel';
import { computeChatMetrics, TimedMessage } from '../../src/chats/chat-metrics';
import { toSegments } from '../../src/chats/chat-analysis.service';

const at = (second: number) => new Date(Date.UTC(2026, 10, 20, 9, 0, second));
const client = (second: number): TimedMessage => ({ role: 'client', sentAt: at(second) });
const manager = (second: number): TimedMessage => ({ role: 'manager', sentAt: at(second) });
const system = (second: number): TimedMessage => ({ role: 'system', sentAt: at(second) });

describe('chat metrics', () => {
  it('measure each client turn from its first message to the reply, and count what stays unanswered', () => {
    const metrics = computeChatMetrics([
      system(0), client(5), client(15), manager(35), client(40), manager(50), client(55), client(58),
    ]);
    expect(metrics).toEqual({
      messages: { total: 8, client: 5, manager: 2, system: 1 },
      firstResponseSec: 30,
      avgResponseSec: 20,
      maxResponseSec: 30,
      unansweredClientMessages: 2,
      durationSec: 58,
    });
  });

  it('have no response times when the manager never answered, and order messages by time', () => {
    const metrics = computeChatMetrics([client(20), client(3)]);
    expect(metrics).toMatchObject({ firstResponseSec: null, avgResponseSec: null, maxResponseSec: null, unansweredClientMessages: 2, durationSec: 17 });
  });

  it('do not count a manager message sent before the client wrote as a response', () => {
    const metrics = computeChatMetrics([manager(0), client(10), manager(70)]);
    expect(metrics).toMatchObject({ firstResponseSec: 60, avgResponseSec: 60, unansweredClientMessages: 0 });
  });

  it('are empty for an empty chat', () => {
    expect(computeChatMetrics([])).toMatchObject({ messages: { total: 0, client: 0, manager: 0, system: 0 }, firstResponseSec: null, durationSec: 0 });
  });
});

describe('chat messages as analysis segments', () => {
  it('start at seconds since the first message, last until the next, with manager and client roles and no system lines', () => {
    const segments = toSegments([
      { authorRole: 'system', sentAt: at(0), text: 'Диалог начат' },
      { authorRole: 'client', sentAt: at(10), text: 'Здравствуйте' },
      { authorRole: 'manager', sentAt: at(70), text: 'Добрый день!' },
      { authorRole: 'manager', sentAt: at(70), text: 'Чем помочь?' },
    ]);
    expect(segments).toEqual([
      { start: 0, end: 60, speaker: 'client', text: 'Здравствуйте' },
      { start: 60, end: 61, speaker: 'manager', text: 'Добрый день!' },
      { start: 60, end: 61, speaker: 'manager', text: 'Чем помочь?' },
    ]);
  });
});

describe('chat channels and text', () => {
  it.each([
    ['telegrambot', 'telegram'], ['whatsappbyedna', 'whatsapp'], ['wz_whatsapp_1b2c', 'whatsapp'], ['fbinstagramdirect', 'instagram'],
    ['vkgroup', 'vk'], ['livechat', 'livechat'], ['viber', 'viber'], ['avito', 'avito'], ['mycustomconnector', 'mycustomconnector'], [null, 'unknown'],
  ])('name the connector %s as %s', (connector, channel) => {
    expect(channelOf(connector)).toBe(channel);
  });

  it('turn BB-code into plain text', () => {
    expect(plainText('[b]Заказ[/b] готов[br]Ссылка: [url=https://shop.example]магазин[/url]')).toBe('Заказ готов\nСсылка: магазин');
  });
});
