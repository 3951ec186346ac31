import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('AI CRM Analytics API')
    .setDescription('Calls and chats from Bitrix24, transcribed, scored and aggregated for the sales team.')
    .setVersion('1.0')
    .setContact('AI CRM Analytics', 'https://github.com/ai-crm-analytics', 'support@example.com')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer('/', 'This server')
    .addTag('calls', 'Phone calls: list, details, recordings, processing and sync')
    .addTag('employees', 'Employees and departments for the filters')
    .addTag('chats', 'Open Lines chats from Bitrix24 and their analysis')
    .addTag('analytics', 'Leaderboards, trends, dashboard figures and costs')
    .addTag('reports', 'Stored reports, their downloads and Telegram delivery')
    .addTag('settings', 'Settings stored in PostgreSQL, their history and integration status')
    .addTag('webhooks', 'Incoming events from telephony and Bitrix24')
    .addTag('telegram', 'Bot commands Telegram posts in webhook mode')
    .addTag('health', 'Service status')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API_TOKEN of the service' }, 'bearer')
    .addSecurityRequirements('bearer')
    .build();
  return SwaggerModule.createDocument(app, config);
}

export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('api/docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'api/docs-json' });
}
