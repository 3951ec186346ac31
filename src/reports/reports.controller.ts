import { Body, Controller, Get, HttpCode, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ParseRowIdPipe } from '../common/row-id';
import { REPORT_TYPES } from './report.entity';
import {
  DownloadReportQueryDto, GeneratedReportDto, GenerateReportDto, ListReportsQueryDto, ReportDetailsDto, ReportListDto, TestTelegramResultDto,
} from './dto/report.dto';
import { ReportsService } from './reports.service';

@ApiTags('reports')
@Controller('reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get()
  @ApiOperation({ summary: 'Stored reports, newest first' })
  @ApiOkResponse({ type: ReportListDto })
  @ApiResponse({ status: 400, description: 'A parameter is invalid; the message names it' })
  list(@Query() query: ListReportsQueryDto): Promise<ReportListDto> {
    return this.reports.list(query);
  }

  @Post('test-telegram')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a test message to the configured Telegram chat' })
  @ApiOkResponse({ type: TestTelegramResultDto })
  @ApiResponse({ status: 502, description: 'Telegram refused: bad token, chat not found, bot blocked' })
  @ApiResponse({ status: 503, description: 'Telegram is not configured (TELEGRAM_BOT_TOKEN, TELEGRAM_CHAT_ID) or asks to slow down' })
  testTelegram(): Promise<TestTelegramResultDto> {
    return this.reports.testTelegram();
  }

  @Post('generate/:type')
  @HttpCode(200)
  @ApiOperation({ summary: 'Generate and store a report; send it to Telegram unless send is false' })
  @ApiParam({ name: 'type', enum: REPORT_TYPES })
  @ApiOkResponse({ type: GeneratedReportDto, description: 'The stored report; `delivery` says what happened in Telegram' })
  @ApiResponse({ status: 400, description: 'Unknown type or invalid parameter; the message names it' })
  generate(@Param('type') type: string, @Body() body: GenerateReportDto): Promise<GeneratedReportDto> {
    return this.reports.generate(type, body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One stored report with its data' })
  @ApiOkResponse({ type: ReportDetailsDto })
  @ApiResponse({ status: 404, description: 'No such report' })
  details(@Param('id', ParseRowIdPipe) id: number): Promise<ReportDetailsDto> {
    return this.reports.details(id);
  }

  @Get(':id/download')
  @ApiOperation({ summary: 'The report as a PDF or an Excel workbook' })
  @ApiProduces('application/pdf', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiResponse({ status: 200, description: 'The file, with a Content-Disposition filename' })
  @ApiResponse({ status: 400, description: 'format must be pdf or xlsx' })
  @ApiResponse({ status: 404, description: 'No such report' })
  async download(@Param('id', ParseRowIdPipe) id: number, @Query() query: DownloadReportQueryDto): Promise<StreamableFile> {
    const file = await this.reports.file(id, query.format);
    return new StreamableFile(file.content, { type: file.contentType, disposition: `attachment; filename="${file.filename}"`, length: file.content.length });
  }
}
