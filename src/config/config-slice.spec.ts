import { Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { loadGatewayConfig } from './config.loader';
import { GatewayConfigModule } from './config.module';
import { defineConfigSlice, type ConfigSliceOf } from './config-slice';

const config = loadGatewayConfig({
  INSTANT_UPSTREAMS: 'http://127.0.0.1:8001/v1',
  INSTANT_MODEL: 'sim-instant',
  GATEWAY_AUTH: 'disabled',
  TOOLS_MAX_ROUNDS: '3',
});

const DEMO_CONFIG = defineConfigSlice('DEMO_CONFIG', (whole) => ({
  rounds: whole.tools.maxRounds,
  pools: Object.keys(whole.pools),
  embeddings: whole.embeddings,
}));

@Injectable()
class SliceReader {
  constructor(@Inject(DEMO_CONFIG.token) readonly slice: ConfigSliceOf<typeof DEMO_CONFIG>) {}
}

@Module({ providers: [DEMO_CONFIG.provider, SliceReader], exports: [SliceReader] })
class FeatureModule {}

describe('defineConfigSlice', () => {
  it("gives a module's classes the part of the validated configuration it selects", async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [GatewayConfigModule.forRoot(config), FeatureModule],
    }).compile();
    expect(moduleRef.get(SliceReader).slice).toEqual({
      rounds: 3,
      pools: ['instant'],
      embeddings: undefined,
    });
  });

  it('selects the same part from a whole configuration, for specs', () => {
    expect(DEMO_CONFIG.select(config).rounds).toBe(3);
    expect(DEMO_CONFIG.provider.provide).toBe('DEMO_CONFIG');
  });
});
