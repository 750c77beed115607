import { Controller, Get, Param, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { assertModelAllowed, isModelAllowed, type KeyPolicy } from '../auth';
import type { ModelList, ModelObject } from '../common/openai';
import type { AccessTier } from '../config';
import { LimitsService } from '../limits';
import { ModelCatalogService } from './model-catalog.service';

/**
 * `GET /v1/models`: the public names of docs/api.md §4 in OpenAI's list format (`instant`,
 * `thinking`, `auto`, the aliases, the pools' model ids, and `embeddings` with the embeddings
 * pool's model id), as far as the caller's key may use them (`allowed_tiers`, `allowed_models`).
 */
@ApiTags('models')
@ApiBearerAuth()
@Controller('v1/models')
export class ModelsController {
  constructor(
    private readonly catalog: ModelCatalogService,
    private readonly limits: LimitsService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List the models: instant, thinking, auto, aliases, pool model ids and embeddings',
  })
  list(@Req() request: FastifyRequest): ModelList {
    const policy = this.limits.callerOf(request.caller).policy;
    return {
      object: 'list',
      data: this.catalog.list().filter((model) => allowed(policy, model)),
    };
  }

  // Pool model ids contain slashes (`Qwen/Qwen2.5-7B-Instruct`), hence the wildcard.
  @Get('*')
  @ApiOperation({ summary: 'One model' })
  get(@Param('*') id: string, @Req() request: FastifyRequest): ModelObject {
    const policy = this.limits.callerOf(request.caller).policy;
    let name: string;
    try {
      name = decodeURIComponent(id);
    } catch {
      // A malformed escape (`%E0%A4%A`) names no model; it must not become a 500.
      throw this.catalog.notFound(id, policy, true);
    }
    const model = this.catalog.describe(name, policy);
    assertModelAllowed(policy, model.id, tierOf(model));
    return model;
  }
}

function tierOf(model: ModelObject): AccessTier | 'auto' {
  const tier = (model as { tier?: unknown }).tier;
  return tier === 'instant' || tier === 'thinking' || tier === 'embeddings' ? tier : 'auto';
}

function allowed(policy: KeyPolicy, model: ModelObject): boolean {
  return isModelAllowed(policy, model.id, tierOf(model));
}
