import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkBaseMatchesChart,
  checkKustomization,
  kustomizationDirs,
} from '../../scripts/deploy/deploy-checks';
import { DEPLOY_PATHS, ROOT } from '../../scripts/deploy/deploy.constants';
import { compareRenderings } from '../../scripts/deploy/equivalence';
import { helmTemplate } from '../../scripts/deploy/helm';
import { configMapHash, renderKustomization, strategicMerge } from '../../scripts/deploy/kustomize';
import { findObject, type K8sObject } from '../../scripts/deploy/manifests';

describe('deploy/k8s: plain manifests, rendered offline', () => {
  it.each(kustomizationDirs().map((dir) => [dir.slice(ROOT.length + 1), dir] as const))(
    '%s renders objects that the Kubernetes schemas accept and that keep the gateway contract',
    (_name, dir) => {
      expect(checkKustomization(dir).problems).toEqual([]);
    },
  );

  it("the base is the chart with its default values (minus Helm's labels, hooks and checksums)", () => {
    expect(checkBaseMatchesChart().problems).toEqual([]);
  });

  it('a drift between the base and the chart is reported where it is', () => {
    const chart = helmTemplate({ set: ['replicaCount=3', 'probes.readiness.periodSeconds=7'] });
    const base = renderKustomization(DEPLOY_PATHS.k8sBase);
    expect(
      compareRenderings(chart.objects, base.objects, { left: 'chart', right: 'base' }),
    ).toEqual([
      'Deployment/tiergate: spec.replicas: 3 ≠ 2 (chart ≠ base)',
      'Deployment/tiergate: spec.template.spec.containers[0].readinessProbe.periodSeconds: 7 ≠ 5 (chart ≠ base)',
    ]);
  });

  describe('the production overlay', () => {
    const { objects, problems } = renderKustomization(join(DEPLOY_PATHS.k8sOverlays, 'production'));
    const deployment = findObject(objects, 'Deployment')!;
    const pod = (deployment.spec as any).template.spec;

    it('renders without problems, everything in namespace tiergate', () => {
      expect(problems).toEqual([]);
      for (const { object } of objects) {
        if (object.kind !== 'Namespace') expect(object.metadata.namespace).toBe('tiergate');
      }
    });

    it('sets the image, leaves the replica count to the HPA and merges the patch into the base', () => {
      expect(pod.containers[0].image).toBe('registry.example.com/platform/tiergate:0.1.0');
      expect((deployment.spec as any).replicas).toBeUndefined();
      expect(pod.containers[0].resources.requests).toEqual({ cpu: '1', memory: '512Mi' });
      // Patched lists merge by key: the probes and env of the base are still there.
      expect(pod.containers[0].readinessProbe.httpGet.path).toBe('/health/ready');
      expect(pod.topologySpreadConstraints.map((t: any) => t.topologyKey)).toEqual([
        'topology.kubernetes.io/zone',
        'kubernetes.io/hostname',
      ]);
    });

    it('replaces the configuration, and the ConfigMap name follows its content', () => {
      const configMap = findObject(objects, 'ConfigMap')!;
      expect(configMap.metadata.name).toMatch(/^tiergate-config-[a-z0-9]{10}$/);
      expect(pod.volumes[0].configMap.name).toBe(configMap.metadata.name);
      expect((configMap.data as Record<string, string>)['gateway.yaml']).toContain(
        'vllm-thinking-1',
      );
      expect(pod.terminationGracePeriodSeconds).toBe(135);
    });
  });

  describe('the renderer', () => {
    it("names generated ConfigMaps with kustomize's hash (values checked against kubectl 1.32 / kustomize v5.5)", () => {
      const cm = (data: Record<string, string>): K8sObject => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'x' },
        data,
      });
      expect(configMapHash(cm({ a: 'b' }))).toBe('4h2mbtbbt6');
      // Go's encoding/json escapes <, > and &.
      expect(configMapHash(cm({ 'a.yaml': 'x: "<&>"\n' }))).toBe('h8b54hfmf6');
    });

    it('merges lists the way the API does: by name for containers and env, patch items first; null deletes', () => {
      const base = {
        replicas: 2,
        containers: [
          {
            name: 'a',
            image: 'i',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
          },
          { name: 'b', image: 'i' },
        ],
        args: ['x', 'y'],
      };
      const patch = {
        replicas: null,
        containers: [
          { name: 'c', image: 'j' },
          { name: 'a', env: [{ name: 'C', value: '3' }] },
        ],
        args: ['z'],
      };
      expect(strategicMerge(base, patch, '', () => undefined)).toEqual({
        containers: [
          { name: 'c', image: 'j' },
          {
            name: 'a',
            image: 'i',
            env: [
              { name: 'C', value: '3' },
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
          },
          { name: 'b', image: 'i' },
        ],
        args: ['z'],
      });
    });

    it('refuses what it does not implement instead of rendering it differently', () => {
      const dir = mkdtempSync(join(tmpdir(), 'tiergate-kustomize-'));
      try {
        cpSync(DEPLOY_PATHS.k8sBase, join(dir, 'base'), { recursive: true });
        writeFileSync(
          join(dir, 'kustomization.yaml'),
          'resources: [base]\nnamePrefix: prod-\ncommonLabels: {env: prod}\n',
        );
        expect(renderKustomization(dir).problems).toEqual([
          expect.stringContaining('kustomization field namePrefix is not supported'),
          expect.stringContaining('kustomization field commonLabels is not supported'),
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
