import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { defaultsOf, GATEWAY_CONFIG_KEYS } from '../../src/config';
import {
  BAD_VALUES,
  checkChartLint,
  checkChartRender,
  checkRendering,
  valueSets,
} from '../../scripts/deploy/deploy-checks';
import { DEPLOY_PATHS } from '../../scripts/deploy/deploy.constants';
import { findGatewayWorkload, type Container } from '../../scripts/deploy/gateway-contract';
import { helmNotes, helmTemplate, type RenderOptions } from '../../scripts/deploy/helm';
import { findObject, type K8sObject, type RenderedObject } from '../../scripts/deploy/manifests';

/** The chart rendered offline (`helm template`), the way `npm run validate:deploy` renders it. */
function render(options: RenderOptions = {}): RenderedObject[] {
  const result = helmTemplate(options);
  if (!result.ok) throw new Error(result.error);
  expect(result.problems).toEqual([]);
  return result.objects;
}

function gateway(objects: RenderedObject[]): { deployment: K8sObject; container: Container } {
  const workload = findGatewayWorkload(objects);
  if (typeof workload === 'string') throw new Error(workload);
  return workload;
}

function kinds(objects: RenderedObject[]): string[] {
  return objects.map(({ object }) => object.kind).sort();
}

function podSpec(deployment: K8sObject): Record<string, any> {
  return (deployment.spec as any).template.spec;
}

const example = join(DEPLOY_PATHS.examples, 'two-pool-vllm.yaml');
const inline = join(DEPLOY_PATHS.ciValues, 'inline-secrets-values.yaml');

/** The gateway's own shutdown defaults, which the chart's grace period must cover. */
const SHUTDOWN_DEFAULTS = defaultsOf(GATEWAY_CONFIG_KEYS.shape.server).shutdown;

describe('the Helm chart, rendered and validated offline', () => {
  describe.each(valueSets().map((set) => [set.name, set] as const))('with %s', (_name, set) => {
    if (!set.kubeVersion) {
      it('passes helm lint --strict', () => {
        expect(checkChartLint(set).problems).toEqual([]);
      });
    }

    it('renders objects that the Kubernetes schemas accept (unknown fields included) and keep the gateway contract', () => {
      expect(checkChartRender(set).problems).toEqual([]);
    });
  });

  describe('values.schema.json and the templates refuse bad values', () => {
    it.each(BAD_VALUES.map(({ set, expect }) => [set.join(','), set, expect] as const))(
      '--set %s',
      (_label, set, expected) => {
        const result = helmTemplate({ set });
        expect(result.ok).toBe(false);
        expect(result.error).toMatch(expected);
      },
    );
  });

  it("ships the gateway's version: Chart.yaml's appVersion is package.json's version", () => {
    const chart = parse(readFileSync(join(DEPLOY_PATHS.chart, 'Chart.yaml'), 'utf8'));
    const pkg = JSON.parse(readFileSync(DEPLOY_PATHS.packageJson, 'utf8'));
    expect(chart.appVersion).toBe(pkg.version);
  });

  describe('defaults', () => {
    const objects = render();

    it('are a ServiceAccount, the configuration, a Service, the Deployment, a PDB and a helm test pod; no Secret until a key is given', () => {
      expect(kinds(objects)).toEqual([
        'ConfigMap',
        'Deployment',
        'Pod',
        'PodDisruptionBudget',
        'Service',
        'ServiceAccount',
      ]);
      const test = findObject(objects, 'Pod')!;
      expect(test.metadata.annotations?.['helm.sh/hook']).toBe('test');
    });

    it('run the image unchanged on port 9000 with the probes of docs/api.md §5', () => {
      const { container } = gateway(objects);
      expect(container.command).toBeUndefined();
      expect(container.args).toBeUndefined();
      expect(container.ports).toEqual([{ name: 'http', containerPort: 9000, protocol: 'TCP' }]);
      expect(container.livenessProbe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(container.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'http' });
      expect(container.startupProbe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
      const service = findObject(objects, 'Service')!;
      expect((service.spec as any).ports).toEqual([
        { name: 'http', port: 9000, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
      ]);
    });

    it('are hardened: non-root 10001, read-only root, no privilege escalation, no capabilities, no API token', () => {
      const { deployment, container } = gateway(objects);
      const pod = podSpec(deployment);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(container.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    });

    it('mount the config value as /etc/tiergate/gateway.yaml and read every key variable from the Secret, each optional', () => {
      const { container } = gateway(objects);
      const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e]));
      expect(env.GATEWAY_CONFIG.value).toBe('/etc/tiergate/gateway.yaml');
      for (const name of [
        'GATEWAY_API_KEYS',
        'UPSTREAM_API_KEY',
        'INSTANT_API_KEY',
        'THINKING_API_KEY',
        'EMBEDDINGS_API_KEY',
        'REDIS_URL',
      ]) {
        expect(env[name].valueFrom?.secretKeyRef).toEqual({
          name: 'tiergate',
          key: name,
          optional: true,
        });
      }
      const configMap = findObject(objects, 'ConfigMap', 'tiergate-config')!;
      const values = parse(readFileSync(join(DEPLOY_PATHS.chart, 'values.yaml'), 'utf8'));
      expect(parse((configMap.data as Record<string, string>)['gateway.yaml'])).toEqual(
        values.config,
      );
    });

    it("mirror the gateway's own shutdown defaults, and give Kubernetes drain + grace + margin before SIGKILL, with no preStop", () => {
      const values = parse(readFileSync(join(DEPLOY_PATHS.chart, 'values.yaml'), 'utf8'));
      expect(values.config.server.shutdown).toEqual({
        drain_delay_ms: SHUTDOWN_DEFAULTS.drainDelayMs,
        grace_period_ms: SHUTDOWN_DEFAULTS.gracePeriodMs,
      });
      const { deployment, container } = gateway(objects);
      expect(podSpec(deployment).terminationGracePeriodSeconds).toBe(5 + 30 + 10);
      expect(container.lifecycle).toBeUndefined();
    });

    it("fall back to the gateway's defaults when config.server.shutdown is left out", () => {
      const { deployment } = gateway(render({ set: ['config.server.shutdown=null'] }));
      expect(podSpec(deployment).terminationGracePeriodSeconds).toBe(45);
    });
  });

  describe('termination follows the configured drain (docs/api.md §9)', () => {
    it('adds a preStop sleep to the grace period, as a sleep action from Kubernetes 1.30 and sleep(1) before', () => {
      const modern = gateway(render({ valuesFiles: [inline] }));
      // 5 s preStop + ceil((3000 + 45000) / 1000) + 15 s margin
      expect(podSpec(modern.deployment).terminationGracePeriodSeconds).toBe(68);
      expect(modern.container.lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
      const older = gateway(render({ valuesFiles: [inline], kubeVersion: '1.25.0' }));
      expect(older.container.lifecycle).toEqual({ preStop: { exec: { command: ['sleep', '5'] } } });
    });

    it('accepts an explicit terminationGracePeriodSeconds that covers the drain', () => {
      const { deployment } = gateway(
        render({ set: ['shutdown.terminationGracePeriodSeconds=40'] }),
      );
      expect(podSpec(deployment).terminationGracePeriodSeconds).toBe(40);
    });
  });

  describe('keys', () => {
    it('given inline, go into a Secret named after the release, and a change rolls the pods', () => {
      const objects = render({ valuesFiles: [inline] });
      const secret = findObject(objects, 'Secret', 'tiergate')!;
      const data = Object.fromEntries(
        Object.entries(secret.data as Record<string, string>).map(([k, v]) => [
          k,
          Buffer.from(v, 'base64').toString('utf8'),
        ]),
      );
      expect(data).toEqual({
        GATEWAY_API_KEYS:
          'ci-client-key-1,sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
        UPSTREAM_API_KEY: 'ci-upstream-key',
        THINKING_API_KEY: 'ci-thinking-key',
        REDIS_URL: 'redis://redis.tiergate.svc:6379/0',
        TEAM_A_KEY: 'ci-team-a-key',
      });
      const checksum = (objects: RenderedObject[]): string | undefined =>
        (gateway(objects).deployment.spec as any).template.metadata.annotations['checksum/secret'];
      const changed = render({ valuesFiles: [inline], set: ['secrets.upstreamApiKey=rotated'] });
      expect(checksum(changed)).toBeDefined();
      expect(checksum(changed)).not.toBe(checksum(objects));
    });

    it('from an existing Secret are read from it, and no Secret is rendered', () => {
      const objects = render({ valuesFiles: [example] });
      expect(findObject(objects, 'Secret')).toBeUndefined();
      const { container } = gateway(objects);
      const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e]));
      expect(env.GATEWAY_API_KEYS.valueFrom?.secretKeyRef?.name).toBe('tiergate-keys');
      expect(env.REDIS_URL.valueFrom?.secretKeyRef).toEqual({ name: 'tiergate-redis', key: 'url' });
    });
  });

  describe('the two-pool vLLM example', () => {
    const objects = render({ valuesFiles: [example] });

    it('adds the autoscaler (CPU and in-flight requests), a NetworkPolicy, a ServiceMonitor and alerts', () => {
      expect(kinds(objects)).toEqual([
        'ConfigMap',
        'Deployment',
        'HorizontalPodAutoscaler',
        'NetworkPolicy',
        'Pod',
        'PodDisruptionBudget',
        'PrometheusRule',
        'Service',
        'ServiceAccount',
        'ServiceMonitor',
      ]);
      const hpa = findObject(objects, 'HorizontalPodAutoscaler')!;
      expect((hpa.spec as any).metrics.map((m: { type: string }) => m.type)).toEqual([
        'Resource',
        'Pods',
      ]);
      // The HPA owns the replica count.
      expect((gateway(objects).deployment.spec as any).replicas).toBeUndefined();
    });

    it('gives reasoning streams their two minutes at shutdown', () => {
      expect(podSpec(gateway(objects).deployment).terminationGracePeriodSeconds).toBe(5 + 120 + 10);
    });

    it('restricts egress to DNS and the listed peers', () => {
      const policy = findObject(objects, 'NetworkPolicy')!;
      expect((policy.spec as any).policyTypes).toEqual(['Ingress', 'Egress']);
      expect((policy.spec as any).egress).toHaveLength(4);
    });

    it('alerts only on metrics the gateway exports', () => {
      const rule = findObject(objects, 'PrometheusRule')!;
      const expressions: string[] = (rule.spec as any).groups[0].rules.map(
        (r: { expr: string }) => r.expr,
      );
      const used = new Set(expressions.flatMap((e) => e.match(/tiergate_[a-z0-9_]+/g) ?? []));
      const source = [
        readFileSync(join(__dirname, '../../src/providers/upstream-metrics.ts'), 'utf8'),
        readFileSync(join(__dirname, '../../src/telemetry/metrics.service.ts'), 'utf8'),
      ].join('\n');
      for (const metric of used) {
        // prom-client's default metrics carry the gateway's prefix (metrics.service.ts).
        const defaultMetric =
          metric.startsWith('tiergate_nodejs_') || metric.startsWith('tiergate_process_');
        if (defaultMetric) expect(source).toContain("prefix: 'tiergate_'");
        else expect(source).toContain(`'${metric.replace(/_total$/, '')}`);
      }
    });
  });

  describe('the notes helm install prints', () => {
    it('give the base URL, and say when no client key is configured and the gateway would not start', () => {
      const notes = helmNotes();
      expect(notes).toContain('http://tiergate.tiergate.svc:9000/v1');
      expect(notes).toContain('Without it the gateway refuses to start');
      expect(helmNotes({ set: ['secrets.gatewayApiKeys={sk-1}'] })).not.toContain(
        'refuses to start',
      );
    });

    it('warn that several pods without Redis multiply the rate limits', () => {
      expect(helmNotes()).toContain('up to 2 pods without Redis');
      expect(helmNotes({ set: ['replicaCount=1'] })).not.toContain('Redis');
      expect(helmNotes({ set: ['redis.url=redis://r:6379'] })).not.toContain('without Redis');
    });
  });

  describe('the checks themselves catch what they promise to', () => {
    it('an unknown field, even deep in a pod spec', () => {
      const objects = render({ set: ['affinity.nodeAffinity.preferredDuringScheduling=1'] });
      expect(checkRendering(objects)).toEqual([
        expect.stringContaining(
          'spec.template.spec.affinity.nodeAffinity.preferredDuringScheduling: unknown field',
        ),
      ]);
    });

    it('a configuration the gateway would refuse at start-up', () => {
      const objects = render({ set: ['config.pools.instant.max_conections=8'] });
      expect(checkRendering(objects)).toEqual([
        expect.stringContaining('pools.instant.max_conections: unknown key'),
      ]);
    });

    it('a probe that points elsewhere, and a variable set twice', () => {
      const objects = render({
        set: ['probes.readiness.path=/health/live', 'env[0].name=PORT', 'env[0].value=9001'],
      });
      expect(checkRendering(objects)).toEqual(
        expect.arrayContaining([
          expect.stringContaining('readinessProbe must GET /health/ready'),
          expect.stringContaining('env PORT is set twice'),
        ]),
      );
    });
  });
});
