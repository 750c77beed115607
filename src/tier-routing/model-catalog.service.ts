import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { isModelAllowed, type KeyPolicy } from '../auth';
import { ErrorCode, ErrorMessages, GatewayException } from '../common/errors';
import type { ModelObject } from '../common/openai';
import type { AliasConfig, GatewayConfig, TierConfig, TierName } from '../config';

/** What a public model name means (SPEC §4). */
export type ModelTarget =
  | { kind: 'auto'; alias?: AliasConfig }
  | { kind: 'tier'; tier: TierName; reason: string; alias?: AliasConfig };

const AUTO: ModelTarget = { kind: 'auto' };

/**
 * The model catalog: `instant`, `thinking`, `auto`, the aliases and each pool's own model id,
 * resolved through one map built at boot.
 */
@Injectable()
export class ModelCatalogService {
  private readonly targets = new Map<string, ModelTarget>();
  /** The model of a request that names none (`routing.default_model`). */
  readonly defaultModel: string;
  private readonly created = Math.floor(Date.now() / 1000);
  readonly tiers: Partial<Record<TierName, TierConfig>>;

  constructor(config: ConfigService<GatewayConfig, true>) {
    this.tiers = config.get('tiers', { infer: true });
    this.defaultModel = config.get('routing', { infer: true }).defaultModel;
    const aliases = config.get('aliases', { infer: true });
    this.targets.set('auto', AUTO);
    for (const tier of ['instant', 'thinking'] as const) {
      if (this.tiers[tier]) this.targets.set(tier, { kind: 'tier', tier, reason: `model:${tier}` });
    }
    for (const name of Object.keys(aliases)) {
      const alias = aliases[name];
      this.targets.set(name, { kind: 'tier', tier: alias.tier, reason: `alias:${name}`, alias });
    }
    for (const tier of ['instant', 'thinking'] as const) {
      const model = this.tiers[tier]?.model;
      if (model && !this.targets.has(model))
        this.targets.set(model, { kind: 'tier', tier, reason: `model:${model}` });
    }
  }

  /**
   * The target of a request's `model`; no model means the configured default. 404 when unknown,
   * listing the names `policy` may use (all of them without one): a key learns nothing of the
   * models it may not use.
   */
  resolve(model: string | undefined, policy?: KeyPolicy): ModelTarget {
    const name = model ?? this.defaultModel;
    const target = this.targets.get(name);
    if (!target) throw this.notFound(name, policy);
    return target;
  }

  /** The 404 for an unknown `name`, listing the names `policy` may use. */
  notFound(name: string, policy?: KeyPolicy): GatewayException {
    return new GatewayException(
      ErrorCode.ModelNotFound,
      ErrorMessages.modelNotFound(name, this.names(policy)),
      { param: 'model' },
    );
  }

  /** The public names, or those `policy` may use. */
  names(policy?: KeyPolicy): string[] {
    const names = [...this.targets.keys()];
    if (policy === undefined) return names;
    return names.filter((name) => {
      const target = this.targets.get(name) as ModelTarget;
      return isModelAllowed(policy, name, target.kind === 'tier' ? target.tier : 'auto');
    });
  }

  has(name: string): boolean {
    return this.targets.has(name);
  }

  /** `GET /v1/models` entries, in the order of {@link names}. */
  list(): ModelObject[] {
    return this.names().map((id) => this.describe(id));
  }

  describe(id: string, policy?: KeyPolicy): ModelObject {
    const target = this.targets.get(id);
    if (!target) throw this.notFound(id, policy);
    return {
      id,
      object: 'model',
      created: this.created,
      owned_by: 'tiergate',
      ...(target.kind === 'tier' ? { tier: target.tier } : { tier: 'auto' }),
    };
  }
}
