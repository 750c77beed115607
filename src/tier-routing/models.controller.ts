import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ModelList, ModelObject } from '../common/openai';
import { ModelCatalogService } from './model-catalog.service';

/** `GET /v1/models`: the public names of SPEC §4 in OpenAI's list format. */
@ApiTags('models')
@ApiBearerAuth()
@Controller('v1/models')
export class ModelsController {
  constructor(private readonly catalog: ModelCatalogService) {}

  @Get()
  @ApiOperation({ summary: 'List the models: instant, thinking, auto, aliases and pool model ids' })
  list(): ModelList {
    return { object: 'list', data: this.catalog.list() };
  }

  // Pool model ids contain slashes (`Qwen/Qwen2.5-7B-Instruct`), hence the wildcard.
  @Get('*')
  @ApiOperation({ summary: 'One model' })
  get(@Param('*') id: string): ModelObject {
    return this.catalog.describe(decodeURIComponent(id));
  }
}
