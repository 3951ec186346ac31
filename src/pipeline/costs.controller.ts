import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CostsDto, CostsQueryDto } from './dto/costs.dto';
import { PipelineRequests } from './pipeline-requests.service';

@ApiTags('analytics')
@Controller('analytics')
export class CostsController {
  constructor(private readonly requests: PipelineRequests) {}

  @Get('costs')
  @ApiOperation({ summary: "The month's LLM spend, calls analysed, cost per analysed minute and the budget" })
  @ApiOkResponse({ type: CostsDto })
  costs(@Query() query: CostsQueryDto): Promise<CostsDto> {
    return this.requests.costs(query.month);
  }
}
