import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AnalyticsService } from './analytics.service';
import { AnalyticsQueryDto, TrendsQueryDto } from './dto/analytics-query.dto';
import { EmployeesAnalyticsDto, SummaryDto, TrendsDto } from './dto/analytics.dto';

@ApiTags('analytics')
@ApiResponse({ status: 400, description: 'A parameter is invalid; the message names it' })
@Controller('analytics')
export class AnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get('employees')
  @ApiOperation({ summary: 'Leaderboard of employees for a period, against the previous period of equal length' })
  @ApiOkResponse({ type: EmployeesAnalyticsDto })
  employees(@Query() query: AnalyticsQueryDto): Promise<EmployeesAnalyticsDto> {
    return this.analytics.employees(query);
  }

  @Get('trends')
  @ApiOperation({ summary: 'Series by day, week or month; top products, refusal reasons and tags; client sentiment' })
  @ApiOkResponse({ type: TrendsDto })
  trends(@Query() query: TrendsQueryDto): Promise<TrendsDto> {
    const { granularity, ...filters } = query;
    return this.analytics.trends(filters, granularity);
  }

  @Get('summary')
  @ApiOperation({ summary: 'Dashboard cards: calls, analysed, average score, high-risk and missed calls, with their change' })
  @ApiOkResponse({ type: SummaryDto })
  summary(@Query() query: AnalyticsQueryDto): Promise<SummaryDto> {
    return this.analytics.summary(query);
  }
}
