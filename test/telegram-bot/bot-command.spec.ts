import { parseCommand } from '../../src/telegram-bot/bot-command';
import { parsePeriod } from '../../src/telegram-bot/bot-period';

describe('parseCommand', () => {
  it.each([
    ['/top', { name: 'top', args: [] }],
    ['/TOP@crm_bot  week ', { name: 'top', args: ['week'] }],
    ['/report trends 2026-01-01 2026-03-31 xlsx', { name: 'report', args: ['trends', '2026-01-01', '2026-03-31', 'xlsx'] }],
    ['/call@other_bot 12', undefined],
    ['привет', undefined],
  ])('reads %p', (text, expected) => {
    expect(parseCommand(text, 'crm_bot')).toEqual(expected);
  });
});

describe('parsePeriod', () => {
  it.each([
    [[], { period: 'month' }],
    [['квартал'], { period: 'quarter' }],
    [['Week'], { period: 'week' }],
    [['2026-03-01'], { from: '2026-03-01', to: '2026-03-01' }],
    [['2026-03-01', '2026-03-31'], { from: '2026-03-01', to: '2026-03-31' }],
    [['2026-03-01..2026-03-31'], { from: '2026-03-01', to: '2026-03-31' }],
    [['2026-03-31', '2026-03-01'], undefined],
    [['2026-02-30'], undefined],
    [['вчера'], undefined],
  ])('reads %p', (args, expected) => {
    expect(parsePeriod(args)).toEqual(expected);
  });
});
