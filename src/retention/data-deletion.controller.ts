import { Controller, Delete, HttpCode, Param } from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ParseRowIdPipe } from '../common/row-id';
import { DataDeletionService } from './data-deletion.service';

@ApiTags('calls')
@Controller('calls')
export class CallDeletionController {
  constructor(private readonly deletion: DataDeletionService) {}

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a call with its recording, transcript and analyses (data-protection requests)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No such call' })
  remove(@Param('id', ParseRowIdPipe) id: number): Promise<void> {
    return this.deletion.deleteCall(id);
  }
}

@ApiTags('chats')
@Controller('chats')
export class ChatDeletionController {
  constructor(private readonly deletion: DataDeletionService) {}

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a chat with its messages and analyses (data-protection requests)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No such chat' })
  remove(@Param('id', ParseRowIdPipe) id: number): Promise<void> {
    return this.deletion.deleteChat(id);
  }
}
