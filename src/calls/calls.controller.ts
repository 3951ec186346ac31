import { Controller, Get, Headers, Inject, NotFoundException, Param, Query, Res, UnauthorizedException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Public } from '../common/auth.guard';
import { ParseRowIdPipe } from '../common/row-id';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { parseRange } from './audio-range';
import { CallsService } from './calls.service';
import { CallDetailsDto, CallListDto } from './dto/call.dto';
import { ListCallsQuery } from './dto/list-calls.query';
import { RecordingLinks } from './recording-links';
import { safeEqual } from '../common/safe-equal';
import { utf8Bytes } from '../common/utf8';

@ApiTags('calls')
@Controller('calls')
export class CallsController {
  constructor(
    private readonly calls: CallsService,
    private readonly links: RecordingLinks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List calls with filters, sorting and pagination' })
  @ApiOkResponse({ type: CallListDto })
  @ApiResponse({ status: 400, description: 'A parameter is invalid; the message names it' })
  async list(@Query() query: ListCallsQuery, @Res() res: Response): Promise<void> {
    const json = await this.calls.listJson(query);
    res.type('application/json; charset=utf-8').send(utf8Bytes(json));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One call with transcript, analysis, metrics and stage history' })
  @ApiOkResponse({ type: CallDetailsDto })
  @ApiResponse({ status: 404, description: 'No such call' })
  details(@Param('id', ParseRowIdPipe) id: number): Promise<CallDetailsDto> {
    return this.calls.details(id);
  }

  @Public()
  @Get(':id/audio')
  @ApiOperation({ summary: 'Stream the call recording (HTTP Range supported)', description: 'Accepts the Bearer token or the signed `token` of `recordUrl`.' })
  @ApiQuery({ name: 'token', required: false, description: 'Signed, expiring token from recordUrl' })
  @ApiProduces('audio/mpeg', 'audio/wav', 'application/octet-stream')
  @ApiResponse({ status: 200, description: 'The whole recording' })
  @ApiResponse({ status: 206, description: 'The requested byte range' })
  @ApiResponse({ status: 404, description: 'No such call, or its recording is not downloaded yet' })
  @ApiResponse({ status: 416, description: 'The range cannot be satisfied' })
  async audio(
    @Param('id', ParseRowIdPipe) id: number,
    @Query('token') token: string | undefined,
    @Headers('authorization') authorization: string | undefined,
    @Headers('range') rangeHeader: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    this.authorizeAudio(id, token, authorization);
    const recording = await this.calls.recording(id);
    const size = await stat(recording.path).then((info) => info.size).catch(() => {
      throw new NotFoundException(`The recording file of call ${id} is missing`);
    });
    const range = parseRange(rangeHeader, size);
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Content-Type', recording.mime);
    res.setHeader('Cache-Control', 'private, max-age=3600');
    if (range === 'unsatisfiable') {
      res.setHeader('Content-Range', `bytes */${size}`);
      res.status(416).json({ statusCode: 416, error: 'Range Not Satisfiable', message: `Range ${rangeHeader} is outside the ${size}-byte recording` });
      return;
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    if (range) {
      res.status(206);
      res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    }
    res.setHeader('Content-Length', String(size === 0 ? 0 : end - start + 1));
    if (size === 0) return void res.end();
    createReadStream(recording.path, { start, end }).pipe(res);
  }

  private authorizeAudio(id: number, token: string | undefined, authorization: string | undefined): void {
    if (!this.config.apiToken) return;
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim();
    if (bearer && safeEqual(bearer, this.config.apiToken)) return;
    if (this.links.isValid(id, token)) return;
    throw new UnauthorizedException('A valid Bearer token or an unexpired signed link is required');
  }
}
