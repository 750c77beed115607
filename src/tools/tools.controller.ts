import { Controller, Get, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { ToolDefinition } from '../common/openai';
import { ToolRegistry } from './tool-registry.service';

export interface ToolList {
  object: 'list';
  /** Each entry is a ready-made `tools` entry of a chat request. */
  data: ToolDefinition[];
}

/** `GET /v1/tools`: the registered server-side tools the caller's key may use (docs/api.md §5). */
@ApiTags('tools')
@ApiBearerAuth()
@Controller('v1/tools')
export class ToolsController {
  constructor(private readonly registry: ToolRegistry) {}

  @Get()
  @ApiOperation({
    summary: 'List the server-side tools: name, description and JSON Schema of the parameters',
  })
  list(@Req() request: FastifyRequest): ToolList {
    const allowed = request.caller?.policy.allowedTools;
    return {
      object: 'list',
      data: this.registry
        .list()
        .filter((tool) => this.registry.permits(tool.name, allowed))
        .map((tool) => tool.definition),
    };
  }
}
