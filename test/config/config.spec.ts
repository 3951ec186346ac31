import { loadAppConfig } from '../../src/config/app-config';

describe('configuration', () => {
  it('starts on defaults with an empty environment', () => {
    const config = loadAppConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      corsOrigins: ['http://localhost:3000'],
      database: { url: undefined, migrateOnStart: true },
      openai: { model: 'gpt-4o' },
      bitrix: { requestsPerSecond: 2, burst: 50 },
    });
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it('reads and types every given variable', () => {
    const config = loadAppConfig({
      PORT: '9090',
      API_TOKEN: 'a-long-enough-api-token',
      DATABASE_URL: 'postgres://u:p@db:5432/crm',
      DB_MIGRATE_ON_START: 'false',
      CORS_ORIGINS: 'http://a.example, http://b.example',
      BITRIX_WEBHOOK_URL: 'https://portal.bitrix24.ru/rest/1/abc123/',
      BITRIX_SYNC_INTERVAL_MINUTES: '15',
      TELEGRAM_BOT_TOKEN: '123456:ABC-def_ghi',
      TELEGRAM_CHAT_ID: '-100123',
      TELEGRAM_BOT_MODE: 'webhook',
      TELEGRAM_WEBHOOK_SECRET: 'a-secret-of-sixteen',
      TELEGRAM_BOT_CHAT_IDS: '555, -100456',
      TRANSCRIBE_BACKEND: 'openai-api',
      TIME_ZONE: 'Asia/Yekaterinburg',
    });
    expect(config).toMatchObject({
      port: 9090,
      host: '0.0.0.0',
      database: { url: 'postgres://u:p@db:5432/crm', migrateOnStart: false },
      corsOrigins: ['http://a.example', 'http://b.example'],
      bitrix: { webhookUrl: 'https://portal.bitrix24.ru/rest/1/abc123', syncIntervalMinutes: 15 },
      telegram: { chatId: '-100123', bot: { mode: 'webhook', webhookSecret: 'a-secret-of-sixteen', extraChatIds: ['555', '-100456'] } },
      transcription: { backend: 'openai-api' },
      timeZone: 'Asia/Yekaterinburg',
    });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['DB_MIGRATE_ON_START', 'maybe'],
    ['API_TOKEN', 'short'],
    ['BITRIX_WEBHOOK_URL', 'https://portal.bitrix24.ru/no-rest-path'],
    ['BITRIX_SYNC_INTERVAL_MINUTES', '0'],
    ['OPENAI_BASE_URL', 'not a url'],
    ['TELEGRAM_BOT_TOKEN', 'token-without-id'],
    ['TELEGRAM_BOT_MODE', 'push'],
    ['TELEGRAM_WEBHOOK_SECRET', 'short'],
    ['TELEGRAM_BOT_CHAT_IDS', '@channel'],
    ['TRANSCRIBE_BACKEND', 'vosk'],
    ['LOG_LEVEL', 'loud'],
    ['TIME_ZONE', 'Mars/Olympus'],
    ['TRUST_PROXY', 'true'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['TRUST_PROXY', 'loopback, proxy.example.com'],
  ])('refuses to start when %s is %p, naming the variable', (name, value) => {
    expect(() => loadAppConfig({ [name]: value })).toThrow(new RegExp(`Invalid configuration[\\s\\S]*${name}`));
  });

  it('trusts no proxy by default, and the addresses, subnets and named ranges TRUST_PROXY lists', () => {
    expect(loadAppConfig({}).trustProxy).toEqual([]);
    expect(loadAppConfig({ TRUST_PROXY: '10.0.0.5, 10.1.0.0/16,fd00::/8, loopback' }).trustProxy).toEqual(['10.0.0.5', '10.1.0.0/16', 'fd00::/8', 'loopback']);
  });

  it('polls for bot commands by default, and needs a secret for webhook mode', () => {
    expect(loadAppConfig({}).telegram.bot).toEqual({ mode: 'polling', webhookSecret: undefined, extraChatIds: [] });
    expect(() => loadAppConfig({ TELEGRAM_BOT_MODE: 'webhook' })).toThrow(/TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_BOT_MODE is webhook/);
  });

  it('never puts a secret into the validation message', () => {
    expect(() => loadAppConfig({ PORT: 'x', OPENAI_API_KEY: 'sk-secret-value' })).toThrow(/^(?![\s\S]*sk-secret-value)/);
  });
});
