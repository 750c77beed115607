import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { GatewayConfig } from '../config';
import { UpstreamPool } from './upstream-pool';

/** Builds one {@link UpstreamPool} per configured pool at boot and closes them at shutdown. */
@Injectable()
export class UpstreamPoolsService implements OnApplicationShutdown {
  private readonly pools = new Map<string, UpstreamPool>();

  constructor(config: ConfigService<GatewayConfig, true>) {
    const pools = config.get('pools', { infer: true });
    for (const name of Object.keys(pools)) this.pools.set(name, new UpstreamPool(pools[name]));
  }

  /** The pool of that name; names are validated against the configuration at boot. */
  get(name: string): UpstreamPool {
    const pool = this.pools.get(name);
    if (!pool)
      throw new Error(`No upstream pool named '${name}' (configuration is validated at boot)`);
    return pool;
  }

  all(): UpstreamPool[] {
    return [...this.pools.values()];
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.all().map((pool) => pool.close()));
  }
}
