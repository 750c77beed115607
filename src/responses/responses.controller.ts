import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, GatewayException } from '../common/errors';
import { ResponsesRequestPipe } from './responses-request.pipe';
import { ResponsesMessages } from './responses.messages';
import { ResponsesService } from './responses.service';
import type { ResponseObject, ResponsesRequest } from './responses.types';

/** The OpenAI Responses API (docs/responses-api.md), routed like chat. */
@ApiTags('responses')
@ApiBearerAuth()
@Controller('v1/responses')
export class ResponsesController {
  constructor(private readonly responses: ResponsesService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'OpenAI Responses API, routed to the instant or thinking tier' })
  async create(
    @Body(ResponsesRequestPipe) body: ResponsesRequest,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.responses.create(body, request, reply);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A stored response (the calling key’s own)' })
  get(@Param('id') id: string, @Req() request: FastifyRequest): Promise<ResponseObject> {
    return this.responses.get(request, id);
  }

  @Get(':id/input_items')
  @ApiOperation({ summary: 'The input items of a stored response' })
  inputItems(
    @Param('id') id: string,
    @Query('order') order: string | undefined,
    @Query('limit') limit: string | undefined,
    @Req() request: FastifyRequest,
  ): ReturnType<ResponsesService['inputItems']> {
    if (order !== undefined && order !== 'asc' && order !== 'desc') {
      throw badQuery('order', "'asc' or 'desc'");
    }
    const count = limit === undefined ? 20 : Number(limit);
    if (!Number.isInteger(count) || count < 1 || count > 100) {
      throw badQuery('limit', 'an integer from 1 to 100');
    }
    return this.responses.inputItems(request, id, order ?? 'desc', count);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Deletes a stored response' })
  delete(
    @Param('id') id: string,
    @Req() request: FastifyRequest,
  ): ReturnType<ResponsesService['delete']> {
    return this.responses.delete(request, id);
  }
}

function badQuery(param: string, expected: string): GatewayException {
  return new GatewayException(
    ErrorCode.InvalidValue,
    ResponsesMessages.invalidField(param, `expected ${expected}`),
    { param },
  );
}
