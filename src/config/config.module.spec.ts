import { Injectable, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { loadGatewayConfig } from './config.loader';
import { ConfigValidationError } from './config.errors';
import { GatewayConfigModule } from './config.module';
import type { GatewayConfig, PoolConfig, TierConfig, TierName } from './gateway-config.interface';

const ENV = {
  INSTANT_UPSTREAMS: 'http://127.0.0.1:8001/v1',
  INSTANT_MODEL: 'sim-instant',
  GATEWAY_AUTH: 'disabled',
};

/** A consumer in another module, injecting the service the way feature modules do. */
@Injectable()
class PoolsReader {
  constructor(readonly config: ConfigService<GatewayConfig, true>) {}

  pools(): Record<string, PoolConfig> {
    return this.config.get('pools', { infer: true });
  }

  tiers(): Partial<Record<TierName, TierConfig>> {
    return this.config.get('tiers', { infer: true });
  }
}

@Module({ providers: [PoolsReader], exports: [PoolsReader] })
class FeatureModule {}

async function compile(root: ReturnType<typeof GatewayConfigModule.forRoot>) {
  const moduleRef = await Test.createTestingModule({ imports: [root, FeatureModule] }).compile();
  return moduleRef.get(PoolsReader);
}

describe('GatewayConfigModule', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) {
      if (!(key in saved)) delete process.env[key];
    }
    Object.assign(process.env, saved);
  });

  it('serves a loaded configuration, globally, through ConfigService with infer', async () => {
    const config = loadGatewayConfig(ENV);
    const reader = await compile(GatewayConfigModule.forRoot(config));
    expect(reader.pools()).toEqual(config.pools);
    expect(reader.tiers().instant?.model).toBe('sim-instant');
    expect(reader.config.get('server.port', { infer: true })).toBe(9000);
  });

  it('answers from the configuration only, never from process.env', async () => {
    process.env.embeddings = 'from-process-env';
    const reader = await compile(GatewayConfigModule.forRoot(loadGatewayConfig(ENV)));
    expect(reader.config.get('embeddings', { infer: true })).toBeUndefined();
  });

  it('loads from process.env when given no configuration', async () => {
    Object.assign(process.env, ENV, { PORT: '9123' });
    const reader = await compile(GatewayConfigModule.forRoot());
    expect(reader.config.get('server', { infer: true }).port).toBe(9123);
  });

  it('fails the application with the validation error when process.env is invalid', async () => {
    Object.assign(process.env, ENV, { PORT: 'none' });
    await expect(compile(GatewayConfigModule.forRoot())).rejects.toThrow(ConfigValidationError);
  });
});
