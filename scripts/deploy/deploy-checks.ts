import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkDockerfile, checkDockerignore, checkProductionRequires } from './dockerfile';
import { DEPLOY_PATHS, KUBE_VERSION, ROOT } from './deploy.constants';
import { ensureDist } from './dist';
import { compareRenderings } from './equivalence';
import { checkGatewayContract } from './gateway-contract';
import { helmBinary, helmLint, helmTemplate, type ChartRender } from './helm';
import { validateKubernetesObjects } from './kube-schema';
import { renderKustomization } from './kustomize';
import { diffValues, objectId, parseManifests, type RenderedObject } from './manifests';

/** One named check and what it found; it passes when `problems` is empty. */
export interface CheckResult {
  name: string;
  problems: string[];
  /** Information that is not a failure (a cross-check that could not run, …). */
  notes?: string[];
}

/** A set of values the chart is rendered with in CI. */
export interface ValueSet {
  name: string;
  files: string[];
  kubeVersion?: string;
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .map((file) => join(dir, file));
}

/**
 * The chart's defaults, every example for operators, every CI values file, and one of those at
 * the oldest Kubernetes the chart supports (where the preStop hook takes its other form).
 */
export function valueSets(): ValueSet[] {
  const sets: ValueSet[] = [{ name: 'default values', files: [] }];
  for (const file of [...yamlFiles(DEPLOY_PATHS.examples), ...yamlFiles(DEPLOY_PATHS.ciValues)]) {
    sets.push({ name: relative(ROOT, file), files: [file] });
  }
  const inline = join(DEPLOY_PATHS.ciValues, 'inline-secrets-values.yaml');
  if (existsSync(inline)) {
    sets.push({
      name: `${relative(ROOT, inline)} on Kubernetes 1.25`,
      files: [inline],
      kubeVersion: '1.25.0',
    });
  }
  return sets;
}

/** Everything that must hold of one rendering, chart or kustomize. */
export function checkRendering(objects: readonly RenderedObject[]): string[] {
  return [...validateKubernetesObjects(objects), ...checkGatewayContract(objects)];
}

export function checkChartLint(set: ValueSet): CheckResult {
  const result = helmLint(set.files);
  const output = `${result.stdout}\n${result.stderr}`;
  const problems = output
    .split('\n')
    .filter((line) => /\[(ERROR|WARNING)\]|^Error/.test(line))
    .map((line) => line.trim());
  if (!result.ok && problems.length === 0) problems.push(output.trim());
  return { name: `helm lint --strict: ${set.name}`, problems };
}

export function renderValueSet(set: ValueSet): ChartRender {
  return helmTemplate({ valuesFiles: set.files, kubeVersion: set.kubeVersion });
}

export function checkChartRender(set: ValueSet): CheckResult {
  const render = renderValueSet(set);
  const name = `helm template: ${set.name}`;
  if (!render.ok) return { name, problems: [render.error] };
  return { name, problems: [...render.problems, ...checkRendering(render.objects)] };
}

/** Values that values.schema.json or the templates' own checks must refuse, and why. */
export const BAD_VALUES: readonly { set: string[]; expect: RegExp }[] = [
  { set: ['replicaCount=-1'], expect: /replicaCount/ },
  { set: ['replicaCount=two'], expect: /replicaCount/ },
  { set: ['replicaCont=2'], expect: /Additional property replicaCont is not allowed/ },
  { set: ['image.pullPolicy=Sometimes'], expect: /image\.pullPolicy/ },
  { set: ['image.digest=sha256:abc'], expect: /image\.digest/ },
  { set: ['service.port=0'], expect: /service\.port/ },
  { set: ['service.type=Ingress'], expect: /service\.type/ },
  { set: ['config.server.shutdown.grace_period_ms=soon'], expect: /grace_period_ms/ },
  { set: ['config.auth.mode=sometimes'], expect: /config\.auth\.mode/ },
  { set: ['config.tiers.fast.pool=instant'], expect: /fast|tiers/ },
  { set: ['secrets.gatewayApiKeys[0]=two words'], expect: /gatewayApiKeys/ },
  { set: ['secrets.env.PORT=1'], expect: /secrets\.env/ },
  { set: ['redis.url=http://redis:6379'], expect: /redis\.url/ },
  { set: ['otel.endpoint=collector:4318'], expect: /otel\.endpoint/ },
  { set: ['otel.sampler=sometimes'], expect: /otel\.sampler/ },
  { set: ['otel.samplerArg=ten percent'], expect: /otel\.samplerArg/ },
  { set: ['resources.requests.cpu=lots'], expect: /resources\.requests\.cpu/ },
  {
    set: ['autoscaling.targetCPUUtilizationPercentage=150'],
    expect: /targetCPUUtilizationPercentage/,
  },
  { set: ['podDisruptionBudget.maxUnavailable=-1'], expect: /podDisruptionBudget\.maxUnavailable/ },
  { set: ['probes.readiness.path=health/ready'], expect: /probes\.readiness\.path/ },
  { set: ['serviceMonitor.interval=30 seconds'], expect: /serviceMonitor\.interval/ },
  {
    set: ['shutdown.terminationGracePeriodSeconds=20'],
    expect: /terminationGracePeriodSeconds: 20 s is shorter/,
  },
  {
    set: ['autoscaling.enabled=true', 'autoscaling.minReplicas=5', 'autoscaling.maxReplicas=3'],
    expect: /maxReplicas must be at least/,
  },
  {
    set: ['autoscaling.enabled=true', 'resources.requests.cpu=null'],
    expect: /needs resources\.requests\.cpu/,
  },
  {
    set: ['redis.url=redis://r:6379', 'redis.existingSecret=r'],
    expect: /url or existingSecret, not both/,
  },
  {
    set: ['secrets.existingSecret=keys', 'secrets.upstreamApiKey=k'],
    expect: /inline .* or in secrets\.existingSecret, not both/,
  },
];

export function checkBadValuesRefused(): CheckResult {
  const problems: string[] = [];
  for (const { set, expect } of BAD_VALUES) {
    const render = helmTemplate({ set });
    if (render.ok) problems.push(`--set ${set.join(',')} was accepted`);
    else if (!expect.test(render.error)) {
      problems.push(
        `--set ${set.join(',')} failed, but not for ${expect}: ${render.error.slice(0, 300)}`,
      );
    }
  }
  return {
    name: `values.schema.json and the templates refuse ${BAD_VALUES.length} bad values`,
    problems,
  };
}

/** deploy/k8s/base and each overlay: rendered offline, then checked like the chart. */
export function kustomizationDirs(): string[] {
  const overlays = existsSync(DEPLOY_PATHS.k8sOverlays)
    ? readdirSync(DEPLOY_PATHS.k8sOverlays).map((name) => join(DEPLOY_PATHS.k8sOverlays, name))
    : [];
  return [DEPLOY_PATHS.k8sBase, ...overlays.sort()];
}

export function checkKustomization(dir: string): CheckResult {
  const render = renderKustomization(dir);
  return {
    name: `kustomize build: ${relative(ROOT, dir)}`,
    problems: [...render.problems, ...checkRendering(render.objects)],
  };
}

export function checkBaseMatchesChart(): CheckResult {
  const chart = helmTemplate();
  const name = 'deploy/k8s/base is the chart with its default values';
  if (!chart.ok) return { name, problems: [chart.error] };
  const base = renderKustomization(DEPLOY_PATHS.k8sBase);
  return {
    name,
    problems: [
      ...base.problems,
      ...compareRenderings(chart.objects, base.objects, { left: 'the chart', right: 'deploy/k8s' }),
    ],
  };
}

/**
 * When kubectl is installed (a developer's machine, not CI), the offline renderer must agree
 * with `kubectl kustomize` object for object.
 */
export function checkRendererAgainstKubectl(): CheckResult {
  const name = 'the offline kustomize renderer agrees with kubectl kustomize';
  const version = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    return { name, problems: [], notes: ['kubectl is not installed: not compared'] };
  }
  const problems: string[] = [];
  for (const dir of kustomizationDirs()) {
    const where = relative(ROOT, dir);
    const kubectl = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
    if (kubectl.status !== 0) {
      problems.push(`${where}: kubectl kustomize failed: ${kubectl.stderr.trim()}`);
      continue;
    }
    const theirs = new Map(
      parseManifests(kubectl.stdout, 'kubectl').objects.map(({ object }) => [
        objectId(object),
        object,
      ]),
    );
    const ours = new Map(
      renderKustomization(dir).objects.map(({ object }) => [objectId(object), object]),
    );
    for (const id of new Set([...theirs.keys(), ...ours.keys()])) {
      for (const diff of diffValues(ours.get(id), theirs.get(id))) {
        problems.push(`${where}: ${id}: ${diff} (offline ≠ kubectl)`);
      }
    }
  }
  return { name, problems };
}

export function checkImage(): CheckResult[] {
  const dockerfile = readFileSync(DEPLOY_PATHS.dockerfile, 'utf8');
  const dockerignore = existsSync(DEPLOY_PATHS.dockerignore)
    ? readFileSync(DEPLOY_PATHS.dockerignore, 'utf8')
    : '';
  return [
    { name: 'deploy/docker/Dockerfile', problems: checkDockerfile(dockerfile) },
    { name: '.dockerignore', problems: checkDockerignore(dockerignore, dockerfile) },
    {
      name: 'dist/ needs only production dependencies',
      problems: checkProductionRequires(ensureDist(), DEPLOY_PATHS.packageJson),
    },
  ];
}

/** Every deployment check, in the order `npm run validate:deploy` reports them. */
export function runDeployChecks(): CheckResult[] {
  const results: CheckResult[] = [];
  for (const set of valueSets()) {
    // helm lint takes no Kubernetes version: one lint per values file is enough.
    if (!set.kubeVersion) results.push(checkChartLint(set));
    results.push(checkChartRender(set));
  }
  results.push(checkBadValuesRefused());
  for (const dir of kustomizationDirs()) results.push(checkKustomization(dir));
  results.push(checkBaseMatchesChart());
  results.push(checkRendererAgainstKubectl());
  results.push(...checkImage());
  return results;
}

export function describeTarget(): string {
  const version = spawnSync(helmBinary(), ['version', '--short'], { encoding: 'utf8' });
  const helm = version.status === 0 ? version.stdout.trim() : '(version unknown)';
  return `Helm ${helm}, Kubernetes ${KUBE_VERSION} schemas from kubernetes-models`;
}
