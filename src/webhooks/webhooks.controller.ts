import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiOkResponse, ApiOperation, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../common/auth.guard';
import { GenericCallEventDto, WebhookReplyDto } from './dto/generic-call-event.dto';
import { TooManyWrongTokens, WebhookAuth } from './webhook-auth';
import { WebhookIntake } from './webhook-intake';

@ApiTags('webhooks')
@ApiExtraModels(GenericCallEventDto)
@Controller('webhooks')
export class WebhooksController {
  constructor(
    private readonly auth: WebhookAuth,
    private readonly intake: WebhookIntake,
  ) {}

  @Public()
  @Post('incoming/:token')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Receive a call event from any telephony (JSON) or a Bitrix24 outbound event (form-encoded)',
    description: 'Bitrix24 events handled: ONVOXIMPLANTCALLEND (the call is fetched and queued) and ONCRMACTIVITYADD '
      + '(an Open Lines session is synced); others are stored as ignored. Every event is stored with its outcome.',
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(GenericCallEventDto) }, { type: 'object', description: 'Bitrix24 event: event, data[...], auth[...]' }] } })
  @ApiOkResponse({ type: WebhookReplyDto })
  @ApiResponse({ status: 400, description: 'The body is not a valid event; the message names the problem' })
  @ApiResponse({ status: 403, description: 'auth[application_token] does not match BITRIX_APP_TOKEN' })
  @ApiResponse({ status: 404, description: 'Wrong token (no detail)' })
  @ApiResponse({ status: 413, description: 'The body is too large' })
  @ApiResponse({ status: 429, description: 'Too many wrong tokens from this address' })
  async incoming(
    @Param('token') token: string,
    @Body() body: Record<string, unknown>,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<WebhookReplyDto> {
    const address = remoteAddress(request);
    try {
      this.auth.assertPathToken(token, address);
    } catch (error) {
      if (error instanceof TooManyWrongTokens) response.setHeader('Retry-After', String(error.retryAfterSec));
      throw error;
    }
    return this.intake.receive(body, request.headers['content-type'], address);
  }
}

export function remoteAddress(request: Request): string {
  return request.ip ?? request.socket?.remoteAddress ?? 'unknown';
}
