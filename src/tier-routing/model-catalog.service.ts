import { Inject, Injectable } from '@nestjs/common';
import { isModelAllowed, type KeyPolicy } from '../auth';
import { ErrorCode, ErrorMessages, GatewayException } from '../common/errors';
import type { ModelObject } from '../common/openai';
import type { AliasConfig, TierConfig, TierName } from '../config';
import { TIER_ROUTING_CONFIG, type TierRoutingSlice } from './tier-routing.config';

/** What a public model name means (docs/api.md §4). */
export type ModelTarget =
  | { kind: 'auto'; alias?: AliasConfig }
  | { kind: 'tier'; tier: TierName; reason: string; alias?: AliasConfig };

const AUTO: ModelTarget = { kind: 'auto' };

/**
 * The model catalog: `instant`, `thinking`, `auto`, the aliases and each pool's own model id,
 * resolved through one map built at boot. The embeddings pool's names (`embeddings` and its
 * model id) are listed and described too, but name no chat tier.
 */
@Injectable()
export class ModelCatalogService {
  private readonly targets = new Map<string, ModelTarget>();
  /** `embeddings` and the embeddings pool's model id, when that pool is configured. */
  private readonly embeddingNames: string[] = [];
  /** The model of a request that names none (`routing.default_model`). */
  readonly defaultModel: string;
  private readonly created = Math.floor(Date.now() / 1000);
  readonly tiers: Partial<Record<TierName, TierConfig>>;

  constructor(@Inject(TIER_ROUTING_CONFIG.token) config: TierRoutingSlice) {
    this.tiers = config.tiers;
    this.defaultModel = config.routing.defaultModel;
    const aliases = config.aliases;
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
    const embeddings = config.embeddings;
    if (embeddings) {
      for (const name of new Set(['embeddings', embeddings.model])) {
        if (!this.targets.has(name)) this.embeddingNames.push(name);
      }
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

  /**
   * The 404 for an unknown `name`, listing the names `policy` may use: the chat names, and with
   * `listed` the embeddings pool's too (what `GET /v1/models` shows).
   */
  notFound(name: string, policy?: KeyPolicy, listed = false): GatewayException {
    return new GatewayException(
      ErrorCode.ModelNotFound,
      ErrorMessages.modelNotFound(name, listed ? this.listedNames(policy) : this.names(policy)),
      { param: 'model' },
    );
  }

  /** The names a chat request may give, or those `policy` may use. */
  names(policy?: KeyPolicy): string[] {
    return this.usable([...this.targets.keys()], policy);
  }

  /** Every name `GET /v1/models` lists (the chat names, then the embeddings pool's), or those `policy` may use. */
  listedNames(policy?: KeyPolicy): string[] {
    return this.usable([...this.targets.keys(), ...this.embeddingNames], policy);
  }

  private usable(names: string[], policy: KeyPolicy | undefined): string[] {
    if (policy === undefined) return names;
    return names.filter((name) => {
      const target = this.targets.get(name);
      const tier =
        target === undefined ? 'embeddings' : target.kind === 'tier' ? target.tier : 'auto';
      return isModelAllowed(policy, name, tier);
    });
  }

  has(name: string): boolean {
    return this.targets.has(name);
  }

  /** `GET /v1/models` entries, in the order of {@link listedNames}. */
  list(): ModelObject[] {
    return this.listedNames().map((id) => this.describe(id));
  }

  describe(id: string, policy?: KeyPolicy): ModelObject {
    const target = this.targets.get(id);
    if (!target && this.embeddingNames.includes(id)) {
      return {
        id,
        object: 'model',
        created: this.created,
        owned_by: 'tiergate',
        tier: 'embeddings',
      };
    }
    if (!target) throw this.notFound(id, policy, true);
    return {
      id,
      object: 'model',
      created: this.created,
      owned_by: 'tiergate',
      ...(target.kind === 'tier' ? { tier: target.tier } : { tier: 'auto' }),
    };
  }
}
