import { plainToInstance } from 'class-transformer';
import { normalizeConfigKeys } from './config-keys.normalizer';
import { ConfigValidationError, isWithinPath, type ConfigIssue } from './config.errors';
import { schemaClass } from './config-schema.compiler';
import { attributeToEnv, crossCheckConfig, validateConfigSchema } from './config.validator';
import { expandEnvTree, type EnvSource } from './env-expand';
import { applyEnvOverlay } from './env.overlay';
import type { GatewayConfig, GatewayConfigSchema } from './gateway-config.interface';
import { GATEWAY_CONFIG_KEYS } from './gateway-config.keys';
import { readYamlConfigFile } from './yaml-file.reader';

/**
 * Builds the gateway's configuration from `env` and the YAML file that `env.GATEWAY_CONFIG`
 * names: defaults < YAML (after `${VAR}` expansion from `env`) < environment. Pure apart from
 * reading that file; takes the environment as an argument so specs need not touch
 * `process.env`.
 *
 * @throws ConfigValidationError listing every bad key, one per line, when anything is wrong.
 * @example
 * loadGatewayConfig({
 *   INSTANT_UPSTREAMS: 'http://127.0.0.1:8001/v1',
 *   INSTANT_MODEL: 'Qwen/Qwen2.5-7B-Instruct',
 *   GATEWAY_AUTH: 'disabled',
 * }).tiers.instant?.pool; // 'instant'
 */
export function loadGatewayConfig(env: EnvSource): GatewayConfig {
  const issues: ConfigIssue[] = [];
  let tree: Record<string, unknown> = {};
  let fileUsable = true;
  // Paths whose ${VAR} could not be expanded: that is their one problem, whatever the
  // placeholder left behind would fail later.
  const unexpanded: string[] = [];

  const file = env.GATEWAY_CONFIG?.trim();
  if (file) {
    const read = readYamlConfigFile(file);
    issues.push(...read.issues);
    fileUsable = read.issues.length === 0;
    const expanded = expandEnvTree(read.tree, env);
    issues.push(...expanded.issues);
    unexpanded.push(...expanded.issues.map((issue) => issue.path));
    const normalized = normalizeConfigKeys(expanded.value as Record<string, unknown>);
    issues.push(...normalized.issues);
    tree = normalized.value;
  }

  const overlay = applyEnvOverlay(tree, env);
  issues.push(...overlay.issues);
  // Without the file, relations such as "at least one tier" would only report its absence.
  if (!fileUsable) throw new ConfigValidationError(issues);

  const schema = plainToInstance(schemaClass(GATEWAY_CONFIG_KEYS), tree) as GatewayConfigSchema;
  const found = [...validateConfigSchema(schema), ...crossCheckConfig(schema, overlay.sources)];
  issues.push(
    ...attributeToEnv(
      found.filter((issue) => !unexpanded.some((path) => isWithinPath(issue.path, path))),
      overlay.sources,
    ),
  );
  if (issues.length > 0) throw new ConfigValidationError(withoutRepeats(issues));
  // Every key's value as modules read it: computed defaults applied, maps as records.
  const config = GATEWAY_CONFIG_KEYS.resolve(schema, {
    key: '',
    requestTimeoutMs: overlay.requestTimeoutMs,
  });
  return deepFreeze(config);
}

/**
 * The configuration of this process: {@link loadGatewayConfig} applied to `process.env`. This
 * folder is the only code that reads `process.env` (STYLE: validate once, at the edge).
 *
 * @throws ConfigValidationError as {@link loadGatewayConfig} does.
 */
export function readGatewayConfig(): GatewayConfig {
  return loadGatewayConfig(process.env);
}

/** The same, shaped for `ConfigModule.forRoot({ load: [gatewayConfigFactory] })`. */
export const gatewayConfigFactory = (): GatewayConfig => readGatewayConfig();

function withoutRepeats(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const line = `${issue.path}\n${issue.message}`;
    if (seen.has(line)) return false;
    seen.add(line);
    return true;
  });
}

// The object is shared by every module for the life of the process; freezing turns an
// accidental write into an error instead of a change other modules would observe.
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
