import { Body, Controller, HttpCode, Param, Post, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EMPLOYEE_CHANNELS } from '../calls/entities/call.entity';
import { ParseRowIdPipe } from '../common/row-id';
import { CallQueueStateDto, ProcessCallDto, ProcessPendingDto, QueuedCountDto, ReanalyzeDto } from './dto/process.dto';
import { UploadedCallDto } from './dto/upload.dto';
import { PipelineRequests } from './pipeline-requests.service';
import { UploadService } from './upload.service';

/** Processing triggers; the read side of calls lives in the calls module. */
@ApiTags('calls')
@Controller('calls')
export class PipelineController {
  constructor(private readonly requests: PipelineRequests, private readonly uploads: UploadService) {}

  @Post('process-pending')
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue every waiting call: new ones not awaiting a recording and transcribed ones awaiting analysis' })
  @ApiAcceptedResponse({ type: QueuedCountDto })
  async processPending(@Body() body: ProcessPendingDto): Promise<QueuedCountDto> {
    return { queued: await this.requests.processPending(Boolean(body.includeErrors)) };
  }

  @Post('reanalyze')
  @HttpCode(202)
  @ApiOperation({ summary: 'Re-queue analysis only (transcripts are reused) for the calls matching the filter, e.g. after the checklist changed' })
  @ApiAcceptedResponse({ type: QueuedCountDto })
  async reanalyze(@Body() body: ReanalyzeDto): Promise<QueuedCountDto> {
    return { queued: await this.requests.reanalyze(body) };
  }

  @Post('upload')
  @HttpCode(202)
  @UseInterceptors(FileInterceptor('file'))
  @ApiOperation({ summary: 'A call from any telephony: an audio recording (mp3, wav, ogg, webm, m4a, flac) with its metadata; queued for processing' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file', 'managerName'],
      properties: {
        file: { type: 'string', format: 'binary' },
        managerName: { type: 'string' },
        clientPhone: { type: 'string' },
        direction: { type: 'string', enum: ['incoming', 'outgoing', 'callback'] },
        startedAt: { type: 'string', format: 'date-time' },
        employeeChannel: { type: 'string', enum: [...EMPLOYEE_CHANNELS], description: 'The stereo channel that carries the employee, or mono for one mix; default: the transcription.employeeChannel.upload setting' },
      },
    },
  })
  @ApiAcceptedResponse({ type: UploadedCallDto })
  upload(@UploadedFile() file: Express.Multer.File | undefined, @Body() body: Record<string, unknown>): Promise<UploadedCallDto> {
    return this.uploads.accept(file, body);
  }

  @Post(':id/process')
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue one call; {force:true} re-analyses an analysed call and keeps the earlier analysis in history' })
  @ApiAcceptedResponse({ type: CallQueueStateDto })
  process(@Param('id', ParseRowIdPipe) id: number, @Body() body: ProcessCallDto): Promise<CallQueueStateDto> {
    return this.requests.processOne(id, Boolean(body.force));
  }
}
