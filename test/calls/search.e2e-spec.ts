import request from 'supertest';
import { Chat } from '../../src/chats/entities/chat.entity';
import { ChatMessage } from '../../src/chats/entities/chat-message.entity';
import { startTestApp, TestApp } from '../support/app';
import { addCall, addDepartment, addEmployee, addTranscript } from '../support/fixtures';

/** Russian sentences as people write them: guillemets, quotes, dashes, «ё», cases and word forms. */
const CORPUS = {
  alfaQuoted: 'Здравствуйте! Компания «Альфа», меня зовут Анна.',
  alfaBank: 'Мы уже третий год работаем с «Альфа-Банком».',
  expensive: 'Для нас это дорого — очень дорого!',
  expensiveForm: 'Вы предлагаете слишком дорогую подписку…',
  yo: 'Ёлка стоит в офисе, счёт за гирлянду оплачен.',
  asciiQuotes: 'Наш конкурент — "Бета Софт", у них дешевле.',
  lowQuotes: 'Подключим „Телефонию“ к вашей CRM.',
  ellipsis: 'Клиент сказал: «перезвоните завтра»…',
  number: 'Договор №4512 подписан вчера.',
  unrelated: 'Доставка в среду, до свидания.',
  english: 'The prices looked too expensive to them.',
};
type Name = keyof typeof CORPUS;

describe('search in Russian as people write it', () => {
  let t: TestApp;
  const ids = new Map<number, Name>();

  beforeAll(async () => {
    t = await startTestApp();
    for (const [name, text] of Object.entries(CORPUS) as [Name, string][]) {
      const call = await addCall(t.dataSource, { managerName: 'Анна' });
      await addTranscript(t.dataSource, call, text);
      ids.set(call.id, name);
    }
  });
  afterAll(() => t.close());

  async function found(q: string): Promise<Name[]> {
    const { body } = await request(t.server).get('/api/calls').query({ q, pageSize: 100 }).expect(200);
    return body.items.map((item: { id: number }) => ids.get(item.id)).sort();
  }

  it.each<[string, Name[]]>([
    ['Альфа', ['alfaBank', 'alfaQuoted']],
    ['альфа', ['alfaBank', 'alfaQuoted']],
    ['«Альфа»', ['alfaBank', 'alfaQuoted']],
    ['"Альфа-Банк"', ['alfaBank']],
    ['Альфа -банк', ['alfaQuoted']],
    ['дорогой', ['expensive', 'expensiveForm']],
    ['дорогая', ['expensive', 'expensiveForm']],
    ['ёлка', ['yo']],
    ['елка', ['yo']],
    ['счет', ['yo']],
    ['счёта', ['yo']],
    ['Бета', ['asciiQuotes']],
    ['«Бета Софт»', ['asciiQuotes']],
    ['телефония', ['lowQuotes']],
    ['перезвоните', ['ellipsis']],
    ['4512', ['number']],
    ['доставка', ['unrelated']],
    ['pricing', ['english']],
    ['«»', []],
  ])('q=%s finds %j', async (q, expected) => {
    expect(await found(q)).toEqual([...expected].sort());
  });

  it('gives the same answer on the search-only path and with another filter', async () => {
    const { body } = await request(t.server).get('/api/calls').query({ q: 'Альфа', managerName: 'анна', sort: '-scoreOverall' }).expect(200);
    expect(body.total).toBe(2);
  });

  it('searches chat messages the same way', async () => {
    const chat = await t.dataSource.getRepository(Chat).save({ channel: 'whatsapp', managerName: 'Анна', startedAt: new Date(), closed: true, messageCount: 1 });
    await t.dataSource.getRepository(ChatMessage).save({
      chatId: chat.id, bitrixMessageId: 1, authorRole: 'client', text: 'Сколько стоит «Телефония»? Дороговато…', sentAt: new Date(),
    });

    for (const q of ['телефония', 'дорогой', '«Телефония»']) {
      const { body } = await request(t.server).get('/api/chats').query({ q }).expect(200);
      expect([q, body.items.map((item: { id: number }) => item.id)]).toEqual([q, [chat.id]]);
    }
  });
});

describe('department filter by name', () => {
  let t: TestApp;
  let salesCall: number;
  let purchasingCall: number;

  beforeAll(async () => {
    t = await startTestApp();
    const sales = await addDepartment(t.dataSource, 'Отдел продаж');
    const purchasing = await addDepartment(t.dataSource, 'Закупки и ёлки');
    salesCall = (await addCall(t.dataSource, { employeeId: (await addEmployee(t.dataSource, 'Анна', [sales])).id, scoreOverall: 80 })).id;
    purchasingCall = (await addCall(t.dataSource, { employeeId: (await addEmployee(t.dataSource, 'Борис', [purchasing])).id, scoreOverall: 60 })).id;
  });
  afterAll(() => t.close());

  it.each([
    ['ОТДЕЛ ПРОДАЖ', 'sales'],
    ['  отдел продаж ', 'sales'],
    ['закупки и елки', 'purchasing'],
    ['Закупки', 'none'],
  ])('department=%j matches %s', async (department, expected) => {
    const { body } = await request(t.server).get('/api/calls').query({ department }).expect(200);
    const wanted = { sales: [salesCall], purchasing: [purchasingCall], none: [] }[expected];
    expect(body.items.map((item: { id: number }) => item.id)).toEqual(wanted);
  });

  it('filters analytics the same way', async () => {
    const { body } = await request(t.server).get('/api/analytics/employees').query({ period: 'month', department: 'ЗАКУПКИ И ЕЛКИ' }).expect(200);
    expect(body.items.map((item: { name: string }) => item.name)).toEqual(['Борис']);
  });
});
