import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth';
import { ProviderRegistryService, type ReplicaView } from './provider-registry.service';

/** `GET /v1/providers` and the probe of one replica (admin keys, C5). */
@ApiTags('operators')
@ApiBearerAuth()
@AdminOnly()
@Controller('v1/providers')
export class ProvidersController {
  constructor(private readonly registry: ProviderRegistryService) {}

  @Get()
  @ApiOperation({
    summary:
      'Every pool and replica: health, circuit, discovered models and context lengths, price, load, last 5 minutes',
  })
  list(): Promise<Record<string, unknown>> {
    return this.registry.list();
  }

  @Post(':pool/replicas/:id/probe')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Runs one health check and one /v1/models read of a replica now; answers the replica',
  })
  probe(@Param('pool') pool: string, @Param('id') id: string): Promise<ReplicaView> {
    return this.registry.probe(pool, id);
  }
}
