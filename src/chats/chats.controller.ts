import { Controller, Get, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ParseRowIdPipe } from '../common/row-id';
import { ChatSyncRunner } from './chat-sync.runner';
import { ChatsService } from './chats.service';
import { ChatDetailsDto, ChatListDto, ChatSyncReplyDto } from './dto/chat.dto';
import { ListChatsQuery } from './dto/list-chats.query.dto';

@ApiTags('chats')
@Controller('chats')
export class ChatsController {
  constructor(
    private readonly chats: ChatsService,
    private readonly runner: ChatSyncRunner,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List Open Lines chats with filters, sorting and pagination' })
  @ApiOkResponse({ type: ChatListDto })
  @ApiResponse({ status: 400, description: 'A parameter is invalid; the message names it' })
  list(@Query() query: ListChatsQuery): Promise<ChatListDto> {
    return this.chats.list(query);
  }

  @Post('sync')
  @ApiOperation({ summary: 'Sync Open Lines sessions from where the last sync stopped; open sessions are read again' })
  @ApiOkResponse({ type: ChatSyncReplyDto, description: 'The run finished' })
  @ApiAcceptedResponse({ type: ChatSyncReplyDto, description: 'The run goes on in the background' })
  @ApiResponse({ status: 409, description: 'A chat sync is already running; the message names its run' })
  @ApiResponse({ status: 503, description: 'Bitrix24 is not configured' })
  async sync(@Res({ passthrough: true }) response: Response): Promise<ChatSyncReplyDto> {
    const reply = await this.runner.runManual();
    response.status(reply.finished ? HttpStatus.OK : HttpStatus.ACCEPTED);
    return reply;
  }

  @Get(':id')
  @ApiOperation({ summary: 'One chat with its messages, analysis and metrics' })
  @ApiOkResponse({ type: ChatDetailsDto })
  @ApiResponse({ status: 404, description: 'No such chat' })
  details(@Param('id', ParseRowIdPipe) id: number): Promise<ChatDetailsDto> {
    return this.chats.details(id);
  }
}
