import { validateSync, type ValidationError } from 'class-validator';
import { camelToSnake } from './config-keys.normalizer';
import { RESERVED_MODEL_NAMES } from './config.constants';
import { formatConfigPath, type ConfigIssue, type ConfigPathSegment } from './config.errors';
import { ConfigMessages } from './config.messages';
import { envSourceOf, ENV_POOLS, type EnvSources } from './env.overlay';
import { TIER_NAMES, type GatewayConfigSchema, type TierName } from './gateway-config.interface';
import { isSha256Key, normalizeClientKey } from './keys/auth.keys';

type TierSchema = NonNullable<GatewayConfigSchema['tiers']['instant']>;
type EmbeddingsSchema = NonNullable<GatewayConfigSchema['embeddings']>;

/**
 * Runs the class-validator schema and turns its error tree into `<yaml path>: <why>` issues.
 * Paths are given in the YAML file's snake_case; pool and alias names stay as written.
 */
export function validateConfigSchema(config: GatewayConfigSchema): ConfigIssue[] {
  const errors = validateSync(config, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: true },
  });
  const issues: ConfigIssue[] = [];
  collect(errors, [], config, issues);
  return issues;
}

function collect(
  errors: readonly ValidationError[],
  parentPath: readonly ConfigPathSegment[],
  parentValue: unknown,
  issues: ConfigIssue[],
): void {
  for (const error of errors) {
    // Children of a list are indexed; children of a Map (pools, aliases) are operator-chosen
    // names; everything else is a schema property, camelCase here and snake_case in the file.
    const segment: ConfigPathSegment = Array.isArray(parentValue)
      ? Number(error.property)
      : parentValue instanceof Map
        ? error.property
        : camelToSnake(error.property);
    const path = [...parentPath, segment];
    for (const message of messagesOf(error)) {
      issues.push({ path: formatConfigPath(path), message });
    }
    // When the container itself has the wrong type, what class-transformer made of its
    // contents only adds noise.
    const wrongContainer = error.constraints?.isObject || error.constraints?.isArray;
    if (error.children?.length && !wrongContainer) {
      collect(error.children, path, error.value, issues);
    }
  }
}

function messagesOf(error: ValidationError): string[] {
  const constraints = error.constraints ?? {};
  // A missing value fails every other check too; "is required" is the only useful line.
  if (constraints.isDefined) return [ConfigMessages.required()];
  const messages = Object.entries(constraints).map(([type, message]) => {
    if (type === 'whitelistValidation') return ConfigMessages.unknownKey();
    if (type === 'unknownValue') return ConfigMessages.mustBeMapping();
    return message;
  });
  return [...new Set(messages)];
}

/**
 * The rules that relate keys to each other. They run even when the schema found problems, so
 * that one start-up reports everything; each rule therefore checks the types it relies on.
 */
export function crossCheckConfig(config: GatewayConfigSchema, sources: EnvSources): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const report = (path: readonly ConfigPathSegment[] | string, message: string): void => {
    issues.push({ path: typeof path === 'string' ? path : formatConfigPath(path), message });
  };
  const pools = config.pools instanceof Map ? config.pools : new Map<string, unknown>();
  const tiers = (isObject(config.tiers) ? config.tiers : {}) as Partial<
    Record<TierName, TierSchema>
  >;
  const declared = TIER_NAMES.filter((name) => isObject(tiers[name]));

  // Tiers and embeddings: complete, and pointing at a defined pool.
  for (const { prefix, target } of ENV_POOLS) {
    const [root, tierName] = target;
    const entry: TierSchema | EmbeddingsSchema | undefined =
      root === 'tiers' ? tiers[tierName as TierName] : config.embeddings;
    if (!isObject(entry)) continue;
    const base = [...target];
    checkComplete(entry, base, prefix, sources, report);
    if (typeof entry.pool === 'string' && entry.pool !== '' && !pools.has(entry.pool)) {
      report([...base, 'pool'], ConfigMessages.unknownPool(entry.pool));
    }
  }
  if (declared.length === 0) report('tiers', ConfigMessages.noChatTier());

  // Aliases: never shadow a built-in name or another tier's model id; only name declared tiers.
  const modelTier = new Map<string, TierName>();
  for (const name of declared) {
    const model = tiers[name]?.model;
    if (typeof model === 'string') modelTier.set(model, name);
  }
  const aliases = config.aliases instanceof Map ? config.aliases : new Map<string, unknown>();
  for (const [name, alias] of aliases) {
    if (RESERVED_MODEL_NAMES.includes(name))
      report(['aliases', name], ConfigMessages.reservedAlias(name));
    if (!isObject(alias) || !isTierName(alias.tier)) continue;
    if (!declared.includes(alias.tier)) {
      report(['aliases', name, 'tier'], ConfigMessages.tierNotConfigured(alias.tier));
    }
    const owner = modelTier.get(name);
    if (owner !== undefined && owner !== alias.tier) {
      report(['aliases', name], ConfigMessages.aliasShadowsModel(owner));
    }
  }

  // Routing defaults must resolve to something that exists.
  const routing = isObject(config.routing) ? config.routing : undefined;
  const defaultModel = routing?.defaultModel;
  if (typeof defaultModel === 'string' && defaultModel !== '' && defaultModel !== 'auto') {
    if (isTierName(defaultModel)) {
      if (!declared.includes(defaultModel)) {
        report(['routing', 'default_model'], ConfigMessages.tierNotConfigured(defaultModel));
      }
    } else if (!aliases.has(defaultModel) && !modelTier.has(defaultModel)) {
      report(['routing', 'default_model'], ConfigMessages.unknownDefaultModel());
    }
  }
  const defaultTier = routing?.defaultTier;
  if (isTierName(defaultTier) && !declared.includes(defaultTier)) {
    report(['routing', 'default_tier'], ConfigMessages.tierNotConfigured(defaultTier));
  }

  // A concurrency limit above the connection bound would let undici queue requests unseen.
  for (const [name, pool] of pools) {
    if (!isObject(pool)) continue;
    const { maxConcurrency, maxConnections } = pool as {
      maxConcurrency?: unknown;
      maxConnections?: unknown;
    };
    if (
      typeof maxConcurrency === 'number' &&
      typeof maxConnections === 'number' &&
      maxConcurrency > maxConnections
    ) {
      report(
        ['pools', name, 'max_concurrency'],
        ConfigMessages.notAbove('max_connections', maxConnections),
      );
    }
  }

  checkClientKeys(config, report);
  checkKeyAccess(config, declared, [...aliases.keys(), ...modelTier.keys()], report);
  return issues;
}

/**
 * A key's `allowed_tiers` may only name what is configured, and its `allowed_models` only names
 * the gateway answers to: a typo would otherwise lock the key out (or let nothing through)
 * without a word.
 */
function checkKeyAccess(
  config: GatewayConfigSchema,
  declared: readonly TierName[],
  modelNames: readonly string[],
  report: (path: readonly ConfigPathSegment[] | string, message: string) => void,
): void {
  if (!isObject(config.auth) || !Array.isArray(config.auth.keys)) return;
  const embeddings = isObject(config.embeddings) ? config.embeddings : undefined;
  const known = new Set<string>(['auto', ...declared, ...modelNames]);
  if (embeddings) {
    known.add('embeddings');
    if (typeof embeddings.model === 'string') known.add(embeddings.model);
  }
  config.auth.keys.forEach((entry: unknown, index: number) => {
    if (!isObject(entry)) return;
    const { allowedTiers, allowedModels } = entry as {
      allowedTiers?: unknown;
      allowedModels?: unknown;
    };
    if (Array.isArray(allowedTiers)) {
      for (const tier of allowedTiers) {
        const missing =
          tier === 'embeddings'
            ? embeddings === undefined
            : isTierName(tier) && !declared.includes(tier);
        if (missing) {
          report(
            ['auth', 'keys', index, 'allowed_tiers'],
            ConfigMessages.tierNotConfigured(tier as string),
          );
        }
      }
    }
    if (Array.isArray(allowedModels)) {
      for (const model of allowedModels) {
        if (typeof model === 'string' && model.trim() !== '' && !known.has(model))
          report(['auth', 'keys', index, 'allowed_models'], ConfigMessages.unknownModelName(model));
      }
    }
  });
}

function checkComplete(
  entry: { pool?: unknown; model?: unknown },
  base: readonly string[],
  prefix: string,
  sources: EnvSources,
  report: (path: readonly ConfigPathSegment[] | string, message: string) => void,
): void {
  const hasPool = entry.pool !== undefined && entry.pool !== null;
  const hasModel = entry.model !== undefined && entry.model !== null;
  const poolPath = formatConfigPath([...base, 'pool']);
  const modelPath = formatConfigPath([...base, 'model']);
  const upstreamsVar = `${prefix}_UPSTREAMS`;
  const modelVar = `${prefix}_MODEL`;
  if (hasPool && !hasModel) {
    // Name the key the operator is most likely to add: the variable when the half that is
    // present came from the environment, the YAML key otherwise.
    if (envSourceOf(sources, poolPath) === upstreamsVar) {
      report(modelVar, ConfigMessages.requiredWhenSet(upstreamsVar, modelPath));
    } else {
      report(modelPath, ConfigMessages.requiredWhenSet(poolPath, modelVar));
    }
  } else if (hasModel && !hasPool) {
    if (envSourceOf(sources, modelPath) === modelVar) {
      report(upstreamsVar, ConfigMessages.requiredWhenSet(modelVar, poolPath));
    } else {
      report(poolPath, ConfigMessages.requiredWhenSet(modelPath, upstreamsVar));
    }
  } else if (!hasPool && !hasModel) {
    report(poolPath, ConfigMessages.required());
    report(modelPath, ConfigMessages.required());
  }
}

function checkClientKeys(
  config: GatewayConfigSchema,
  report: (path: readonly ConfigPathSegment[] | string, message: string) => void,
): void {
  if (!isObject(config.auth)) return;
  const keys: unknown[] = Array.isArray(config.auth.keys) ? config.auth.keys : [];
  const names = new Map<string, number>();
  const values = new Map<string, number>();
  keys.forEach((entry, index) => {
    if (!isObject(entry)) return;
    const { name, key } = entry as { name?: unknown; key?: unknown };
    if (typeof name === 'string' && name !== '') {
      if (names.has(name))
        report(['auth', 'keys', index, 'name'], ConfigMessages.duplicateKeyName(name));
      else names.set(name, index);
    }
    if (typeof key === 'string' && key !== '') {
      if (key.startsWith('sha256:') && !isSha256Key(key)) {
        report(['auth', 'keys', index, 'key'], ConfigMessages.sha256Key());
      }
      const earlier = values.get(normalizeClientKey(key));
      if (earlier !== undefined) {
        report(
          ['auth', 'keys', index, 'key'],
          ConfigMessages.duplicateKeyValue(formatConfigPath(['auth', 'keys', earlier, 'key'])),
        );
      } else {
        values.set(normalizeClientKey(key), index);
      }
    }
  });
  if (config.auth.mode === 'required' && keys.length === 0) {
    report('auth.keys', ConfigMessages.authWithoutKeys());
  }
}

/** Appends `(set by VAR)` to issues about values that came from the environment. */
export function attributeToEnv(issues: readonly ConfigIssue[], sources: EnvSources): ConfigIssue[] {
  return issues.map((issue) => {
    const source = envSourceOf(sources, issue.path);
    return source === undefined
      ? issue
      : { path: issue.path, message: `${issue.message} ${ConfigMessages.setBy(source)}` };
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTierName(value: unknown): value is TierName {
  return (TIER_NAMES as readonly unknown[]).includes(value);
}
