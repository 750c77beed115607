import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError, loadGatewayConfig, type GatewayConfig } from '../../src/config';
import {
  DEFAULT_SECRET_PLACEHOLDER,
  GATEWAY_CONTRACT,
  SECRET_PLACEHOLDERS,
} from './deploy.constants';
import { type K8sObject, type RenderedObject } from './manifests';

/**
 * What every rendering of the gateway (the chart with any values, deploy/k8s) must keep,
 * beyond schema validity: the image's start command runs unchanged, the probes and ports of
 * docs/api.md §5, the hardening, a termination grace that covers docs/api.md §9's drain, selectors that
 * select the pods, and a configuration file that the gateway itself accepts.
 */

type Json = Record<string, unknown>;

export interface Container {
  name: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number }; exec?: { command: string[] } } };
  securityContext?: Json;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

interface Probe {
  httpGet?: { path?: string; port?: number | string };
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: unknown;
    resourceFieldRef?: unknown;
  };
}

interface PodSpec {
  containers: Container[];
  securityContext?: Json;
  terminationGracePeriodSeconds?: number;
  volumes?: { name: string; configMap?: { name: string }; emptyDir?: Json }[];
}

/** The gateway's Deployment, its pod spec and its container, or why they cannot be found. */
export interface GatewayWorkload {
  deployment: K8sObject;
  pod: PodSpec;
  container: Container;
}

export function findGatewayWorkload(objects: readonly RenderedObject[]): GatewayWorkload | string {
  const deployments = objects.filter(({ object }) => object.kind === 'Deployment');
  if (deployments.length !== 1) return `one Deployment expected, found ${deployments.length}`;
  const deployment = deployments[0].object;
  const pod = (deployment.spec as { template?: { spec?: PodSpec } } | undefined)?.template?.spec;
  const container = pod?.containers?.find((c) => c.name === GATEWAY_CONTRACT.containerName);
  if (!pod || !container) return `no container ${GATEWAY_CONTRACT.containerName} in the Deployment`;
  return { deployment, pod, container };
}

/** Every broken promise of this rendering; empty when it keeps them all. */
export function checkGatewayContract(objects: readonly RenderedObject[]): string[] {
  const workload = findGatewayWorkload(objects);
  if (typeof workload === 'string') return [workload];
  const { deployment, pod, container } = workload;
  const problems: string[] = [];
  const say = (message: string): void => {
    problems.push(`Deployment/${deployment.metadata.name}: ${message}`);
  };

  // The image's CMD (`node dist/main.js`, Node as PID 1) is what runs.
  if (container.command || container.args) say('command/args would replace the image CMD');

  const port = container.ports?.find((p) => p.name === GATEWAY_CONTRACT.portName);
  if (port?.containerPort !== GATEWAY_CONTRACT.port) {
    say(`port ${GATEWAY_CONTRACT.port} named ${GATEWAY_CONTRACT.portName} expected`);
  }
  const probePath = (probe: Probe | undefined): string | undefined => probe?.httpGet?.path;
  if (probePath(container.livenessProbe) !== GATEWAY_CONTRACT.livePath) {
    say(`livenessProbe must GET ${GATEWAY_CONTRACT.livePath}`);
  }
  if (probePath(container.readinessProbe) !== GATEWAY_CONTRACT.readyPath) {
    say(`readinessProbe must GET ${GATEWAY_CONTRACT.readyPath}`);
  }
  if (!container.startupProbe) say('a startupProbe is expected');
  for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
    const target = probe?.httpGet?.port;
    if (
      target !== undefined &&
      target !== GATEWAY_CONTRACT.portName &&
      target !== GATEWAY_CONTRACT.port
    ) {
      say(`a probe targets port ${String(target)}, not ${GATEWAY_CONTRACT.portName}`);
    }
  }

  const security = container.securityContext ?? {};
  const podSecurity = pod.securityContext ?? {};
  if (security.readOnlyRootFilesystem !== true) say('readOnlyRootFilesystem must be true');
  if (security.allowPrivilegeEscalation !== false) say('allowPrivilegeEscalation must be false');
  if ((security.runAsNonRoot ?? podSecurity.runAsNonRoot) !== true)
    say('runAsNonRoot must be true');
  const uid = security.runAsUser ?? podSecurity.runAsUser;
  if (uid !== undefined && uid !== GATEWAY_CONTRACT.uid) {
    say(`runAsUser ${String(uid)} differs from the image's USER ${GATEWAY_CONTRACT.uid}`);
  }
  const drop = (security.capabilities as { drop?: string[] } | undefined)?.drop ?? [];
  if (!drop.includes('ALL')) say('capabilities must drop ALL');
  const tmp = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
  const tmpVolume = pod.volumes?.find((v) => v.name === tmp?.name);
  if (!tmp || !tmpVolume?.emptyDir) say('/tmp must be a writable emptyDir (the root is read-only)');

  const names = (container.env ?? []).map((e) => e.name);
  for (const name of new Set(names.filter((n, i) => names.indexOf(n) !== i))) {
    say(`env ${name} is set twice`);
  }

  problems.push(...checkSelectors(objects, deployment));

  // The configuration file and the drain it implies.
  const file = (container.env ?? []).find((e) => e.name === 'GATEWAY_CONFIG')?.value;
  if (file !== GATEWAY_CONTRACT.configFile)
    say(`GATEWAY_CONFIG must be ${GATEWAY_CONTRACT.configFile}`);
  const loaded = loadRenderedConfig(objects, workload);
  if (typeof loaded === 'string') {
    say(loaded);
    return problems;
  }
  if (!loaded.ok) {
    for (const issue of loaded.issues) say(`the gateway refuses its configuration: ${issue}`);
    return problems;
  }
  const { drainDelayMs, gracePeriodMs } = loaded.config.server.shutdown;
  const preStop = container.lifecycle?.preStop;
  const sleepSeconds =
    preStop?.sleep?.seconds ??
    (preStop?.exec?.command?.[0] === 'sleep' ? Number(preStop.exec.command[1]) : 0);
  const needed = sleepSeconds + Math.ceil((drainDelayMs + gracePeriodMs) / 1000);
  const grace = pod.terminationGracePeriodSeconds ?? 30;
  if (grace < needed) {
    say(
      `terminationGracePeriodSeconds ${grace} < preStop ${sleepSeconds} s + drain ${drainDelayMs} ms ` +
        `+ grace ${gracePeriodMs} ms: Kubernetes would kill requests the gateway is finishing`,
    );
  }
  return problems;
}

function matches(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

function checkSelectors(objects: readonly RenderedObject[], deployment: K8sObject): string[] {
  const problems: string[] = [];
  const spec = deployment.spec as {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template?: { metadata?: { labels?: Record<string, string> } };
  };
  const podLabels = spec.template?.metadata?.labels ?? {};
  if (!matches(spec.selector?.matchLabels, podLabels)) {
    problems.push('Deployment: spec.selector does not select its own pod template');
  }
  let services = 0;
  for (const { object } of objects) {
    const o = object.spec as Json | undefined;
    const id = `${object.kind}/${object.metadata.name}`;
    switch (object.kind) {
      case 'Service': {
        if (!matches(o?.selector as Record<string, string>, podLabels)) break;
        services++;
        const ports = (o?.ports ?? []) as { targetPort?: string | number }[];
        if (
          !ports.some(
            (p) =>
              p.targetPort === GATEWAY_CONTRACT.portName || p.targetPort === GATEWAY_CONTRACT.port,
          )
        ) {
          problems.push(`${id}: no port targets ${GATEWAY_CONTRACT.portName}`);
        }
        break;
      }
      case 'PodDisruptionBudget':
      case 'NetworkPolicy': {
        const selector = (object.kind === 'NetworkPolicy' ? o?.podSelector : o?.selector) as
          { matchLabels?: Record<string, string> } | undefined;
        if (!matches(selector?.matchLabels, podLabels))
          problems.push(`${id}: does not select the gateway's pods`);
        break;
      }
      case 'HorizontalPodAutoscaler': {
        const target = o?.scaleTargetRef as { kind?: string; name?: string } | undefined;
        if (target?.kind !== 'Deployment' || target.name !== deployment.metadata.name) {
          problems.push(`${id}: scaleTargetRef is not Deployment/${deployment.metadata.name}`);
        }
        // `kubectl apply` / `helm upgrade` would reset the HPA's choice at every change.
        if (spec.replicas !== undefined) {
          problems.push(`${id}: the Deployment it scales must not set spec.replicas`);
        }
        break;
      }
      case 'ServiceMonitor': {
        const selector = (o?.selector as { matchLabels?: Record<string, string> })?.matchLabels;
        const service = objects.find(
          (s) => s.object.kind === 'Service' && matches(selector, s.object.metadata.labels ?? {}),
        );
        if (!service) {
          problems.push(`${id}: selects no Service of this release`);
          break;
        }
        const portNames = (((service.object.spec as Json).ports ?? []) as { name?: string }[]).map(
          (p) => p.name,
        );
        for (const endpoint of (o?.endpoints ?? []) as { port?: string; path?: string }[]) {
          if (!endpoint.port || !portNames.includes(endpoint.port)) {
            problems.push(
              `${id}: endpoint port ${String(endpoint.port)} is not a port of the Service`,
            );
          }
          if (endpoint.path !== GATEWAY_CONTRACT.metricsPath) {
            problems.push(`${id}: endpoint path must be ${GATEWAY_CONTRACT.metricsPath}`);
          }
        }
        break;
      }
    }
  }
  if (services === 0) problems.push("no Service selects the gateway's pods");
  return problems;
}

/**
 * The container's environment as the kubelet would build it from this rendering: literal
 * values, keys of rendered Secrets and ConfigMaps (absent optional keys stay unset), and
 * placeholders for what the rendering cannot know (Secrets made outside it, the downward API).
 */
export function resolveContainerEnv(
  container: Container,
  objects: readonly RenderedObject[],
): Record<string, string> {
  const env: Record<string, string> = {};
  const lookup = (kind: string, name: string, key: string): string | null | undefined => {
    const object = objects.find(
      (o) => o.object.kind === kind && o.object.metadata.name === name,
    )?.object;
    if (!object) return undefined; // made outside this rendering
    const data = (object.data ?? {}) as Record<string, string>;
    const stringData = (object.stringData ?? {}) as Record<string, string>;
    if (key in stringData) return stringData[key];
    if (!(key in data)) return null; // rendered, but without this key
    return kind === 'Secret' ? Buffer.from(data[key], 'base64').toString('utf8') : data[key];
  };
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) {
      env[variable.name] = String(variable.value);
      continue;
    }
    const from = variable.valueFrom;
    const ref = from?.secretKeyRef ?? from?.configMapKeyRef;
    if (ref) {
      const value = lookup(from?.secretKeyRef ? 'Secret' : 'ConfigMap', ref.name, ref.key);
      if (typeof value === 'string') env[variable.name] = value;
      else if (value === undefined) {
        env[variable.name] = SECRET_PLACEHOLDERS[variable.name] ?? DEFAULT_SECRET_PLACEHOLDER;
      }
    } else if (from) {
      env[variable.name] = DEFAULT_SECRET_PLACEHOLDER;
    }
  }
  return env;
}

/**
 * The files of the ConfigMaps mounted into the container, by their path inside it
 * (`/etc/tiergate/gateway.yaml` → its text).
 */
export function mountedConfigFiles(
  workload: GatewayWorkload,
  objects: readonly RenderedObject[],
): Map<string, string> {
  const files = new Map<string, string>();
  for (const mount of workload.container.volumeMounts ?? []) {
    const volume = workload.pod.volumes?.find((v) => v.name === mount.name);
    const configMap = objects.find(
      (o) => o.object.kind === 'ConfigMap' && o.object.metadata.name === volume?.configMap?.name,
    )?.object;
    if (!configMap) continue;
    for (const [key, text] of Object.entries((configMap.data ?? {}) as Record<string, string>)) {
      files.set(`${mount.mountPath.replace(/\/$/, '')}/${key}`, text);
    }
  }
  return files;
}

/**
 * Loads the rendered gateway.yaml with the gateway's own loader, in the environment the
 * container would have: the check that the chart's `config:` and deploy/k8s' gateway.yaml are
 * configurations the gateway accepts, not just YAML.
 */
export function loadRenderedConfig(
  objects: readonly RenderedObject[],
  workload: GatewayWorkload,
): { ok: true; config: GatewayConfig } | { ok: false; issues: string[] } | string {
  const env = resolveContainerEnv(workload.container, objects);
  const path = env.GATEWAY_CONFIG;
  const text = path === undefined ? undefined : mountedConfigFiles(workload, objects).get(path);
  if (text === undefined)
    return `GATEWAY_CONFIG ${String(path)} is not a file of a mounted ConfigMap`;
  const dir = mkdtempSync(join(tmpdir(), 'tiergate-config-'));
  try {
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, text);
    return { ok: true, config: loadGatewayConfig({ ...env, GATEWAY_CONFIG: file }) };
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      return { ok: false, issues: error.issues.map((issue) => `${issue.path}: ${issue.message}`) };
    }
    throw error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
