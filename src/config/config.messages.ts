/**
 * Every text the configuration loader reports, in one place so specs assert on the same strings.
 * Each message completes `<path>: …`. None of them takes a value that could be a secret: only
 * names, paths and limits.
 */
export const ConfigMessages = {
  header: (count: number): string =>
    `Invalid gateway configuration (${count} problem${count === 1 ? '' : 's'}):`,

  // The YAML file named by GATEWAY_CONFIG.
  fileNotFound: (file: string): string => `cannot read ${file}: the file does not exist`,
  fileUnreadable: (file: string, code: string): string => `cannot read ${file} (${code})`,
  fileNotYaml: (file: string, reason: string): string => `${file} is not valid YAML: ${reason}`,
  fileRootNotMapping: (file: string): string =>
    `${file} must hold a mapping at the top level (server:, pools:, tiers:, …)`,

  // ${VAR} expansion.
  unsetVariable: (name: string): string =>
    `environment variable ${name} is not set (write \${${name}:-default} to give a default)`,
  malformedReference: (offset: number): string =>
    `malformed variable reference at character ${offset + 1} (write \${NAME}, \${NAME:-default}, or $$ for a literal $)`,

  // Shape and values.
  unknownKey: (): string => 'unknown key',
  required: (): string => 'is required',
  mustBeMapping: (): string => 'must be a mapping',
  mustBeList: (): string => 'must be a list',
  mustBeNonEmptyString: (): string => 'must be a non-empty string',
  mustBeBoolean: (): string => 'must be true or false',
  integerBetween: (min: number, max: number): string =>
    `must be an integer between ${min} and ${max}`,
  integerAtLeast: (min: number): string => `must be an integer of at least ${min}`,
  numberBetween: (min: number, max: number): string => `must be a number between ${min} and ${max}`,
  positiveNumber: (): string => 'must be a number greater than 0',
  oneOf: (allowed: readonly string[]): string => `must be one of ${allowed.join(', ')}`,
  listOf: (allowed: readonly string[]): string =>
    `must be a list of distinct names among ${allowed.join(', ')}`,
  upstreamUrl: (): string => 'must be an http(s) URL ending in /v1',
  httpUrl: (): string => 'must be an http(s) URL',
  redisUrl: (): string => 'must be a redis:// or rediss:// URL',
  atLeastOneUpstream: (): string => 'must list at least one upstream',
  poolName: (): string => "pool names may use only letters, digits, '.', '_' and '-'",
  originPath: (): string => 'must be a path starting with / (for example /health)',
  nameList: (): string => 'must be a list of distinct non-empty names',
  corsOrigin: (): string =>
    'must be a list of origins (scheme://host[:port], nothing after it) or *',

  // Relations between keys.
  requiredWhenSet: (present: string, alternative: string): string =>
    `is required when ${present} is set (or set ${alternative})`,
  noChatTier: (): string =>
    'at least one of instant or thinking must be configured ' +
    '(INSTANT_UPSTREAMS + INSTANT_MODEL, THINKING_UPSTREAMS + THINKING_MODEL, or tiers.* in the YAML file)',
  unknownPool: (pool: string): string => `names pool "${pool}", which is not defined under pools`,
  tierNotConfigured: (tier: string): string => `names tier ${tier}, which is not configured`,
  unknownAlias: (alias: string): string =>
    `names alias "${alias}", which is not defined under aliases`,
  unknownKeyName: (name: string): string => `names key "${name}", which is not in auth.keys`,
  onePeriod: (): string => 'give either period (day, week, month) or rolling (24h, 7d), not both',
  reservedAlias: (name: string): string =>
    `the alias ${name} would shadow a built-in model name (auto, instant, thinking)`,
  aliasShadowsModel: (tier: string): string =>
    `is the model id of tier ${tier} but points at another tier`,
  unknownDefaultModel: (): string =>
    "must be auto, instant, thinking, an alias or a tier's model id",
  authWithoutKeys: (): string =>
    'GATEWAY_AUTH=required but no client keys are configured (GATEWAY_API_KEYS or auth.keys)',
  sha256Key: (): string => 'a key starting with sha256: must be sha256:<64 hex digits>',
  duplicateKeyName: (name: string): string => `duplicate key name "${name}"`,
  unknownModelName: (name: string): string =>
    `names model "${name}", which is not auto, a configured tier, an alias, a pool's model id or embeddings`,
  duplicateKeyValue: (otherPath: string): string => `the same key as ${otherPath}`,
  notAbove: (other: string, limit: number): string =>
    `must not exceed ${other} (${limit}): requests beyond the connection bound would wait unseen`,
  conflictingPoolKeys: (first: string, second: string): string =>
    `${first} and ${second} both apply to this pool (shared by both tiers) and differ`,

  // Appended to a message whose value came from the environment rather than the YAML file.
  setBy: (source: string): string => `(set by ${source})`,
} as const;
