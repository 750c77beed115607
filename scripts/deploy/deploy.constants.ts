import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository root: the nearest folder above this file that holds the chart. Works from
 * `scripts/deploy/` (ts-jest) and from `.tools/scripts/deploy/` (compiled).
 */
function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'deploy', 'helm', 'tiergate', 'Chart.yaml'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no deploy/helm/tiergate above ${start}`);
  }
}

export const ROOT = findRoot(__dirname);

export const DEPLOY_PATHS = {
  chart: join(ROOT, 'deploy', 'helm', 'tiergate'),
  /** Example values for operators (documented in docs/deployment.md). */
  examples: join(ROOT, 'deploy', 'helm', 'examples'),
  /** Values that exist to cover the chart's branches in CI (the chart-testing `ci/` convention). */
  ciValues: join(ROOT, 'deploy', 'helm', 'tiergate', 'ci'),
  k8sBase: join(ROOT, 'deploy', 'k8s', 'base'),
  k8sOverlays: join(ROOT, 'deploy', 'k8s', 'overlays'),
  dockerfile: join(ROOT, 'deploy', 'docker', 'Dockerfile'),
  dockerignore: join(ROOT, '.dockerignore'),
  packageJson: join(ROOT, 'package.json'),
} as const;

/** The Kubernetes version CI renders for and validates against (kubernetes-models 4.5). */
export const KUBE_VERSION = '1.30.0';

/** Release name used for every render; `tiergate` makes the full name `tiergate`, as in deploy/k8s. */
export const RELEASE_NAME = 'tiergate';
export const RELEASE_NAMESPACE = 'tiergate';

/** What the image and every manifest agree on (docs/api.md §5, §9). */
export const GATEWAY_CONTRACT = {
  containerName: 'tiergate',
  port: 9000,
  portName: 'http',
  configDir: '/etc/tiergate',
  configFile: '/etc/tiergate/gateway.yaml',
  livePath: '/health/live',
  readyPath: '/health/ready',
  metricsPath: '/metrics',
  /** The image's `USER`; the pod's runAsUser must be the same non-root uid. */
  uid: 10001,
  command: ['node', 'dist/main.js'],
} as const;

/**
 * Stand-ins for secret variables whose value the render cannot know (an `existingSecret`, or
 * nothing configured yet): the configuration is checked as it will be once the operator
 * supplies them.
 */
export const SECRET_PLACEHOLDERS: Readonly<Record<string, string>> = {
  GATEWAY_API_KEYS: 'placeholder-client-key',
  REDIS_URL: 'redis://placeholder:6379/0',
};
export const DEFAULT_SECRET_PLACEHOLDER = 'placeholder-secret';
